//! The generation loop: one operator at a time, each written to its files before the next is
//! drawn, so memory stays flat however many operators there are.

mod aesthetic;
mod catalogue;
mod common;
pub(crate) mod ctx;
pub(crate) mod dense;
mod entity;
mod institution;
mod license;
mod online;
mod ordinary;
mod salon;
mod seller;
mod staff;

use std::path::Path;

use crate::city::City;
use crate::date::Date;
use crate::error::DemoDataError;
use crate::kind::{self, Kind};
use crate::noise_kind::NoiseKind;
use crate::rng::Rng;
use crate::sink::{OpRef, Sink};
use crate::summary::{Summary, TrueClass};
use crate::{Options, MAX_OPERATORS};

use aesthetic::Outcome;
use ctx::Ctx;
use dense::{Seat, Sibling};

/// How often progress is reported, in operators.
const PROGRESS_EVERY: usize = 10_000;

/// One real-world operator being generated.
pub(crate) struct Op {
    pub id: String,
    pub index: u64,
    pub kind: Kind,
    pub class: TrueClass,
    pub district: usize,
    /// Dense: the operator's seat in a shared building.
    pub seat: Option<Seat>,
    /// Dense: this operator is the family salon of the clinic just written.
    pub sibling: Option<Sibling>,
}

impl Op {
    pub(crate) fn as_ref(&self) -> OpRef<'_> {
        OpRef {
            id: &self.id,
            class: self.class,
        }
    }
}

/// Runs a generation (see [`crate::generate`]).
pub(crate) fn run(
    opts: &Options,
    out_dir: &Path,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary, DemoDataError> {
    if opts.operators > MAX_OPERATORS {
        return Err(DemoDataError::TooManyOperators {
            found: opts.operators,
            max: MAX_OPERATORS,
        });
    }
    let (y, m, d) = opts.as_of;
    let as_of = Date::new(y, m, d).ok_or(DemoDataError::InvalidDate(y, m, d))?;
    let city = City::load(&opts.city)?;
    std::fs::create_dir_all(out_dir).map_err(|source| DemoDataError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let mut ctx = Ctx::new(
        Rng::new(opts.seed),
        city,
        as_of,
        opts.operators,
        opts.profile,
        opts.seed,
    );
    let mut sink = Sink::create(out_dir)?;
    catalogue::write_products(&mut ctx, &mut sink, opts.operators)?;
    let shares = kind::shares(opts.profile);
    let weights: Vec<u32> = shares.iter().map(|&(_, w)| w).collect();
    for i in 0..opts.operators {
        let op = next_operator(&mut ctx, shares, &weights, i);
        sink.count_operator(op.class);
        operator(&mut ctx, &mut sink, &op)?;
        if (i + 1) % PROGRESS_EVERY == 0 {
            progress(i + 1);
        }
    }
    progress(opts.operators);
    let (rows, classes) = sink.finish()?;
    Ok(Summary {
        operators: opts.operators,
        rows,
        classes,
        profile: opts.profile,
        noise: ctx.noise.counts(opts.profile),
    })
}

/// Draws operator `i`: its archetype and district, and in a dense run its tower seat, or the
/// family salon a clinic just queued.
fn next_operator(ctx: &mut Ctx, shares: &[(Kind, u32)], weights: &[u32], i: usize) -> Op {
    let sibling = ctx.dense.as_mut().and_then(|d| d.sibling.take());
    let (kind, district) = match &sibling {
        Some(s) => {
            let kind = if ctx.rng.chance(0.4) {
                Kind::SalonInjecting
            } else {
                Kind::LifeSalon
            };
            (kind, s.address.district)
        }
        None => {
            let kind = shares[ctx.rng.weighted(weights)].0;
            (kind, ctx.district())
        }
    };
    let mut op = Op {
        id: format!("OP{:07}", i + 1),
        index: i as u64,
        kind,
        class: kind.class(),
        district,
        seat: None,
        sibling,
    };
    if let Some(dense) = ctx.dense.as_mut() {
        dense.index = op.index;
        if op.sibling.is_none() && kind.has_business_address() {
            let seat = dense.towers.seat(&ctx.city, op.index);
            ctx.noise.record(NoiseKind::SharedBuilding, seat.is_some());
            if let Some(seat) = seat {
                op.district = seat.address.district;
                op.seat = Some(seat);
            }
        }
    }
    op
}

/// All records of one operator.
fn operator(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    match op.kind {
        Kind::Ordinary => ordinary::ordinary(ctx, sink, op),
        Kind::LifeSalon => salon::salon(ctx, sink, op, false),
        Kind::OtherClinic => ordinary::other_clinic(ctx, sink, op),
        Kind::PublicHospital => institution::public_hospital(ctx, sink, op, false),
        Kind::Aesthetic => aesthetic::registered(ctx, sink, op, Outcome::Licensed),
        Kind::ScopeOnly => aesthetic::registered(ctx, sink, op, Outcome::NeverLicensed),
        Kind::Lapsed => aesthetic::registered(ctx, sink, op, Outcome::Lapsed),
        Kind::SalonInjecting => salon::salon(ctx, sink, op, true),
        Kind::OnlineSeller => seller::online_seller(ctx, sink, op),
        Kind::Studio => seller::studio(ctx, sink, op),
        Kind::RevokedSeller => seller::revoked_seller(ctx, sink, op),
        Kind::PublicAesthetic => institution::public_hospital(ctx, sink, op, true),
        Kind::NonProfit => institution::non_profit(ctx, sink, op),
        Kind::LicenseAnomaly => institution::license_anomaly(ctx, sink, op),
    }
}
