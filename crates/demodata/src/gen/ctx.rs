//! The state of one run: the random source, the city, the noise counters, the chains, the
//! per-file sequences, a short memory of recent codes and, in a dense run, the dense profile's
//! bounded state (`gen::dense`). Its size does not grow with the number of operators (the set of
//! invalid registration keys grows with 0.2 % of them).
//!
//! Every noise decision goes through [`Ctx::roll`], so each application is counted against the
//! eligible records.

use std::collections::HashSet;

use crate::address::{Address, Detail, Style};
use crate::city::City;
use crate::date::Date;
use crate::gen::dense::DenseState;
use crate::ids::{self, Perms};
use crate::name::{Name, OrgForm};
use crate::noise::{has_traditional, has_width_chars, to_traditional, toggle_width, typo};
use crate::noise_kind::{NoiseCounters, NoiseKind};
use crate::rng::Rng;
use crate::Profile;

/// How many recent codes are kept to lend as "another entity's" code.
const RECENT: usize = 64;

/// A brand shared by several operators in different districts.
pub(crate) struct Chain {
    pub brand: String,
}

/// Per-file running numbers that keys are built from.
#[derive(Default)]
pub(crate) struct Seqs {
    pub salon: u64,
    pub shop: u64,
    pub pdy: u64,
    pub practitioner: u64,
    pub ad: u64,
}

/// Which parts of a name another registry may write differently.
#[derive(Clone, Copy)]
pub(crate) struct NameNoise {
    pub prefix: bool,
    pub form: bool,
    pub typo: bool,
    pub traditional: bool,
    pub width: bool,
}

impl NameNoise {
    pub(crate) const LICENSE: NameNoise = NameNoise {
        prefix: true,
        form: false,
        typo: true,
        traditional: false,
        width: true,
    };
    pub(crate) const TAX: NameNoise = NameNoise {
        prefix: false,
        form: true,
        typo: true,
        traditional: false,
        width: true,
    };
    pub(crate) const DISPLAYED: NameNoise = NameNoise {
        prefix: true,
        form: true,
        typo: true,
        traditional: false,
        width: true,
    };
    pub(crate) const SHOP: NameNoise = NameNoise {
        prefix: true,
        form: true,
        typo: true,
        traditional: true,
        width: true,
    };
    pub(crate) const STAFF: NameNoise = NameNoise {
        prefix: true,
        form: false,
        typo: false,
        traditional: false,
        width: true,
    };
}

pub(crate) struct Ctx {
    pub rng: Rng,
    pub city: City,
    pub as_of: Date,
    pub perms: Perms,
    pub noise: NoiseCounters,
    pub chains: Vec<Chain>,
    pub salon_chains: Vec<Chain>,
    pub seq: Seqs,
    pub profile: Profile,
    /// The dense profile's state; `None` in a standard run.
    pub dense: Option<DenseState>,
    recent: Vec<String>,
    recent_next: usize,
    invalid_keys: HashSet<String>,
}

impl Ctx {
    pub(crate) fn new(
        mut rng: Rng,
        city: City,
        as_of: Date,
        operators: usize,
        profile: Profile,
        seed: u64,
    ) -> Ctx {
        let perms = Perms::new(&mut rng);
        let chains = (0..(operators / 800).max(3))
            .map(|_| Chain {
                brand: crate::name::beauty_brand(&mut rng),
            })
            .collect();
        let salon_chains = (0..(operators / 1000).max(3))
            .map(|_| Chain {
                brand: crate::name::beauty_brand(&mut rng),
            })
            .collect();
        let dense = (profile == Profile::Dense)
            .then(|| DenseState::new(operators, seed, city.districts.len()));
        Ctx {
            rng,
            city,
            as_of,
            perms,
            noise: NoiseCounters::default(),
            chains,
            salon_chains,
            seq: Seqs::default(),
            profile,
            dense,
            recent: Vec::with_capacity(RECENT),
            recent_next: 0,
            invalid_keys: HashSet::new(),
        }
    }

    /// Decides one eligible case of `kind` at its documented rate, and counts it.
    pub(crate) fn roll(&mut self, kind: NoiseKind) -> bool {
        let hit = self.rng.chance(kind.rate_in(self.profile));
        self.noise.record(kind, hit);
        hit
    }

    /// A district, by the city's weights.
    pub(crate) fn district(&mut self) -> usize {
        self.rng.weighted(&self.city.weights)
    }

    /// Remembers a valid code of an operator already written, to lend it later.
    pub(crate) fn remember_code(&mut self, code: &str) {
        if self.recent.len() < RECENT {
            self.recent.push(code.to_string());
        } else {
            self.recent[self.recent_next] = code.to_string();
        }
        self.recent_next = (self.recent_next + 1) % RECENT;
    }

    /// A valid code of some earlier operator other than `own`.
    pub(crate) fn other_code(&mut self, own: &str) -> Option<String> {
        if self.recent.is_empty() {
            return None;
        }
        let code = self.rng.pick(&self.recent).clone();
        (code != own).then_some(code)
    }

    /// A mistyped registration key not used before, or `None` after a few clashes.
    pub(crate) fn invalid_key(&mut self, code: &str) -> Option<String> {
        for _ in 0..4 {
            let bad = ids::mistype(code, &mut self.rng);
            if self.invalid_keys.insert(bad.clone()) {
                return Some(bad);
            }
        }
        None
    }

    /// `name` as another registry writes it.
    pub(crate) fn name_for(&mut self, name: &Name, noise: NameNoise) -> String {
        let mut n = name.clone();
        if noise.prefix
            && !n.prefix.is_empty()
            && !n.brand.is_empty()
            && self.roll(NoiseKind::RegionPrefixDropped)
        {
            n.prefix.clear();
            n.paren = false;
        }
        if noise.form && n.form != OrgForm::None && self.roll(NoiseKind::OrgFormVariant) {
            n.form = *self.rng.pick(match n.form {
                OrgForm::Ltd => &[OrgForm::Llc, OrgForm::ParenLtd, OrgForm::None][..],
                OrgForm::Llc => &[OrgForm::Ltd, OrgForm::ParenLtd, OrgForm::None][..],
                _ => &[OrgForm::Ltd, OrgForm::None][..],
            });
        }
        if noise.typo && !n.brand.is_empty() && self.roll(NoiseKind::NameTypo) {
            n.brand = typo(&n.brand, &mut self.rng);
        }
        let mut s = n.render();
        if noise.traditional && has_traditional(&s) && self.roll(NoiseKind::TraditionalChars) {
            s = to_traditional(&s);
        }
        self.maybe_width(s, noise.width)
    }

    fn maybe_width(&mut self, s: String, allowed: bool) -> String {
        if allowed && has_width_chars(&s) && self.roll(NoiseKind::WidthVariant) {
            toggle_width(&s)
        } else {
            s
        }
    }

    /// `address` as another registry writes it.
    pub(crate) fn address_for(&mut self, address: &Address) -> String {
        if self.dense.is_some() && self.roll(NoiseKind::LandmarkAddress) {
            let s = address.landmark(&self.city, &mut self.rng);
            return self.maybe_width(s, true);
        }
        let mut style = Style::default();
        if self.roll(NoiseKind::AddressVariant) {
            let county_city = self.city.districts[address.district].county_city;
            let mut options: Vec<u8> = vec![1, 2, 4];
            if address.province || !county_city {
                options.push(0);
            }
            if matches!(address.detail, Detail::Estate { .. }) {
                options.push(3);
            }
            if address.detail != Detail::None {
                options.push(5);
            }
            let picks = 1 + self.rng.below(2);
            for i in self.rng.distinct(options.len(), picks) {
                match options[i] {
                    0 => style.no_city = true,
                    1 => style.no_district = true,
                    2 => style.hash = true,
                    3 => style.building_word = 1 + self.rng.below(3) as u8,
                    4 => style.spaces = true,
                    _ => style.no_detail = true,
                }
            }
        }
        if self.dense.is_some()
            && matches!(address.detail, Detail::Unit { .. })
            && self.roll(NoiseKind::RoomOmitted)
        {
            style.unit_part = 1 + self.rng.below(2) as u8;
        }
        let s = address.render(&self.city, style);
        self.maybe_width(s, true)
    }

    /// The code another registry reports for an entity whose code is `own` (and `stale` before
    /// a conversion): blank, stale, another's, mistyped or reformatted at the documented rates.
    pub(crate) fn reported_uscc(
        &mut self,
        own: &str,
        stale: Option<&str>,
        blank: NoiseKind,
    ) -> String {
        if self.roll(blank) {
            return String::new();
        }
        if let Some(old) = self.old_registration_no(own) {
            if self.roll(NoiseKind::OldRegistrationNo) {
                return old;
            }
        }
        let mut code = own.to_string();
        if let Some(old) = stale {
            if self.roll(NoiseKind::StaleUscc) {
                code = old.to_string();
            }
        }
        if self.roll(NoiseKind::WrongUscc) {
            if let Some(other) = self.other_code(own) {
                code = other;
            }
        } else if self.roll(NoiseKind::MistypedUscc) {
            code = ids::mistype(&code, &mut self.rng);
        }
        if self.roll(NoiseKind::UsccFormat) {
            code = match self.rng.below(3) {
                0 if code.chars().any(|c| c.is_ascii_uppercase()) => code.to_lowercase(),
                1 => format!(" {code} "),
                _ => toggle_width(&code),
            };
        }
        code
    }

    /// A date in the mixed formats of registration exports.
    pub(crate) fn registration_date(&mut self, date: Date) -> String {
        if self.roll(NoiseKind::NonIsoDate) {
            if self.rng.chance(2.0 / 3.0) {
                date.slash()
            } else {
                date.chinese()
            }
        } else {
            date.iso()
        }
    }
}
