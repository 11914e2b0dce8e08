//! Tests of the USCC parser against the examples of DOMAIN.md §1.2–1.3 and its properties.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde::de::{value::Error as DeError, IntoDeserializer};
use serde::Deserialize;

use super::*;

/// Verified valid by DOMAIN.md §1.2 (own script and python-stdnum).
const VALID: [&str; 7] = [
    "91350200776049653A",
    "914403001922038216",
    "91440101MA5CJQ4N59",
    "123502001549897397",
    "9135021359498494XQ",
    "91110000802100433B",
    "91350213678251743X",
];

#[test]
fn documented_examples_are_valid() {
    for code in VALID {
        let parsed = Uscc::parse(code).unwrap();
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert_eq!(check_char(&code[..17]), code.chars().nth(17));
        assert_eq!(Uscc::from_body(&code[..17]).unwrap(), parsed);
    }
}

#[test]
fn documented_negative_example() {
    assert_eq!(
        Uscc::parse("91350200776049653B"),
        Err(UsccError::WrongCheck {
            expected: 'A',
            found: 'B'
        })
    );
    assert_eq!(
        Uscc::parse("91350200776049653B").unwrap_err().to_string(),
        "校验位错误：应为“A”，实际为“B”"
    );
}

#[test]
fn embedded_org_code_worked_examples() {
    assert_eq!(org_code_check_char("77604965"), Some('3'));
    assert_eq!(org_code_check_char("MA5CJQ4N"), Some('5'));
    assert_eq!(org_code_check_char("MA5CJQ4"), None);
    assert_eq!(org_code_check_char("ma5cjq4n"), None);
    let a = Uscc::parse("91350200776049653A").unwrap();
    assert_eq!(a.org_code(), "776049653");
    assert!(a.org_code_is_valid());
    assert!(Uscc::parse("91440101MA5CJQ4N59")
        .unwrap()
        .org_code_is_valid());
}

#[test]
fn failing_org_code_is_only_a_warning() {
    // Same entity with a wrong org-code check digit (4 instead of 3), made USCC-valid.
    let code = Uscc::from_body("91350200776049654").unwrap();
    assert!(Uscc::parse(code.as_str()).is_ok());
    assert!(!code.org_code_is_valid());
}

#[test]
fn accessors() {
    let a = Uscc::parse("91350200776049653A").unwrap();
    assert_eq!(a.registration_authority(), '9');
    assert_eq!(a.entity_category(), '1');
    assert_eq!(a.region_code(), "350200");
    assert_eq!(a.entity_kind(), EntityKind::Enterprise);
    assert!(a.entity_kind().has_market_registration());
    let public = Uscc::parse("123502001549897397").unwrap();
    assert_eq!(public.entity_kind(), EntityKind::PublicInstitution);
    assert_eq!(public.entity_kind().label_zh(), "事业单位");
    assert!(!public.entity_kind().has_market_registration());
}

#[test]
fn messy_input_is_normalised() {
    let full_width = "  ９１３５０２００７７６０４９６５３ａ\u{3000}";
    assert_eq!(Uscc::parse(full_width).unwrap().as_str(), VALID[0]);
    assert_eq!(
        Uscc::parse("\t91440101ma5cjq4n59\n").unwrap().as_str(),
        VALID[2]
    );
    assert_eq!(
        Uscc::from_body("９１４４０１０１ma5cjq4n5")
            .unwrap()
            .as_str(),
        VALID[2]
    );
}

#[test]
fn error_variants_and_messages() {
    let short = Uscc::parse("91350200776049653").unwrap_err();
    assert_eq!(short, UsccError::WrongLength { found: 17 });
    assert_eq!(short.to_string(), "统一社会信用代码应为18位，实际为17位");
    assert_eq!(Uscc::parse(""), Err(UsccError::WrongLength { found: 0 }));

    let bad = Uscc::parse("9135I200776049653A").unwrap_err();
    assert_eq!(
        bad,
        UsccError::BadChar {
            ch: 'I',
            position: 5
        }
    );
    assert_eq!(
        bad.to_string(),
        "第5位字符“I”不是统一社会信用代码允许的字符"
    );
    assert_eq!(
        Uscc::parse("91350200776049653O"),
        Err(UsccError::BadChar {
            ch: 'O',
            position: 18
        })
    );

    let region = Uscc::parse("91A50200776049653A").unwrap_err();
    assert_eq!(
        region,
        UsccError::RegionNotDigits {
            ch: 'A',
            position: 3
        }
    );
    assert!(region.to_string().contains("第3位字符“A”应为数字"));

    assert_eq!(
        Uscc::from_body("9135020077604965"),
        Err(UsccError::WrongBodyLength { found: 16 })
    );
    assert_eq!(check_char("9135020077604965"), None);
    assert_eq!(check_char("9135020077604965I"), None);
}

#[test]
fn serde_deserialises_with_validation() {
    let ok = Uscc::deserialize("91350200776049653a".into_deserializer());
    let ok: Result<Uscc, DeError> = ok;
    assert_eq!(ok.unwrap().as_str(), VALID[0]);
    let bad: Result<Uscc, DeError> = Uscc::deserialize("91350200776049653B".into_deserializer());
    assert!(bad.unwrap_err().to_string().contains("校验位错误"));
    assert_eq!(String::from(Uscc::parse(VALID[1]).unwrap()), VALID[1]);
}

/// Every single substitution by another alphabet character, at every position of every
/// documented example, is rejected. (MOD 31 with weights 3^k, all non-zero mod the prime 31,
/// detects any single substitution; this checks the implementation agrees.)
#[test]
fn every_single_substitution_of_the_examples_is_detected() {
    let mut tried = 0;
    for code in VALID {
        for pos in 0..18 {
            for replacement in ALPHABET.chars() {
                let mut chars: Vec<char> = code.chars().collect();
                if chars[pos] == replacement {
                    continue;
                }
                chars[pos] = replacement;
                let changed: String = chars.into_iter().collect();
                assert!(Uscc::parse(&changed).is_err(), "{changed} accepted");
                tried += 1;
            }
        }
    }
    assert_eq!(tried, 7 * 18 * 30);
}

fn body() -> impl Strategy<Value = String> {
    "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}"
}

proptest! {
    #[test]
    fn from_body_yields_a_parsable_code(body in body()) {
        let code = Uscc::from_body(&body).unwrap();
        prop_assert_eq!(&code.as_str()[..17], body.as_str());
        prop_assert_eq!(Uscc::parse(code.as_str()), Ok(code.clone()));
        prop_assert_eq!(Uscc::parse(&code.as_str().to_lowercase()), Ok(code));
    }

    #[test]
    fn single_substitution_is_detected(
        body in body(),
        pos in 0usize..18,
        replacement in prop::sample::select(ALPHABET.chars().collect::<Vec<_>>()),
    ) {
        let code = Uscc::from_body(&body).unwrap();
        let mut chars: Vec<char> = code.as_str().chars().collect();
        prop_assume!(chars[pos] != replacement);
        chars[pos] = replacement;
        let changed: String = chars.into_iter().collect();
        prop_assert!(Uscc::parse(&changed).is_err());
    }

    #[test]
    fn letters_in_the_region_part_are_rejected(
        body in body(),
        pos in 2usize..8,
        letter in prop::sample::select(ALPHABET.chars().skip(10).collect::<Vec<_>>()),
    ) {
        let mut chars: Vec<char> = body.chars().collect();
        chars[pos] = letter;
        let body: String = chars.into_iter().collect();
        let expected = UsccError::RegionNotDigits { ch: letter, position: pos + 1 };
        prop_assert_eq!(Uscc::from_body(&body), Err(expected.clone()));
        // Whatever check character follows, parse reports the region part.
        prop_assert_eq!(Uscc::parse(&format!("{body}0")), Err(expected));
    }

    #[test]
    fn parse_never_panics(input in any::<String>()) {
        if let Ok(code) = Uscc::parse(&input) {
            prop_assert_eq!(code.as_str().len(), 18);
        }
    }

    #[test]
    fn parse_never_panics_on_near_codes(input in "[0-9A-Za-z０-９Ａ-Ｚ \u{3000}]{15,20}") {
        if let Ok(code) = Uscc::parse(&input) {
            prop_assert_eq!(Uscc::parse(code.as_str()), Ok(code.clone()));
        }
    }
}
