#![allow(clippy::unwrap_used)]

use time::macros::date;

use super::prefill::{evidence_name, sentence};
use super::*;

/// A valid USCC and a valid 18-digit ID number (check characters computed).
fn uscc() -> String {
    Uscc::from_body("91330602MA2D3K4L5")
        .unwrap()
        .as_str()
        .to_string()
}
const ID: &str = "33060219900307123X";

use crate::uscc::Uscc;

fn input() -> TypicalCaseInput {
    TypicalCaseInput {
        title: "美丽人生医疗美容诊所超范围开展医疗美容项目案".into(),
        category: "医疗机构".into(),
        origin: "投诉举报".into(),
        filed_on: Some(date!(2026 - 03 - 05)),
        authority: "绍兴市越城区卫生健康局".into(),
        officers: vec!["王五".into(), "赵六".into()],
        parties: vec![
            TypicalParty {
                kind: PartyKind::Organisation,
                name: "绍兴市越城区美丽人生医疗美容诊所".into(),
                id_number: Some(uscc()),
                address: Some("绍兴市越城区解放北路88号2楼".into()),
            },
            TypicalParty {
                kind: PartyKind::Person,
                name: "张三".into(),
                id_number: Some(ID.into()),
                address: Some("浙江省绍兴市柯桥区笛扬路100号3幢201室".into()),
            },
        ],
        facts: "当事人美丽人生医疗美容诊所在未取得相应诊疗科目的情况下，由张三为顾客注射透明质酸钠，违法所得3000元".into(),
        evidence: vec![
            "现场检查笔录.pdf".into(),
            "询问笔录（张三）.jpg".into(),
            "收费票据.png".into(),
            "现场检查笔录.pdf".into(),
        ],
        bases: vec![
            TypicalBasis {
                law: "医疗机构管理条例".into(),
                article: "第四十七条".into(),
                content: "诊疗活动超出登记范围".into(),
            },
            TypicalBasis {
                law: "《医疗机构管理条例实施细则》".into(),
                article: "第八十条".into(),
                content: String::new(),
            },
            TypicalBasis {
                law: "医疗机构管理条例".into(),
                article: "第四十八条".into(),
                content: String::new(),
            },
        ],
        actions: vec![
            TypicalAction {
                kind: "警告".into(),
                amount: None,
                decided_on: Some(date!(2026 - 04 - 20)),
                decision_no: "绍越卫医罚〔2026〕12号".into(),
                party: Some("绍兴市越城区美丽人生医疗美容诊所".into()),
            },
            TypicalAction {
                kind: "罚款".into(),
                amount: Some(Fen(300_050)),
                decided_on: Some(date!(2026 - 04 - 20)),
                decision_no: "绍越卫医罚〔2026〕12号".into(),
                party: Some("绍兴市越城区美丽人生医疗美容诊所".into()),
            },
            TypicalAction {
                kind: "罚款".into(),
                amount: Some(Fen(500_000)),
                decided_on: Some(date!(2026 - 04 - 21)),
                decision_no: "绍越卫医罚〔2026〕13号".into(),
                party: Some("张三".into()),
            },
            TypicalAction {
                kind: "移送司法机关".into(),
                amount: None,
                decided_on: Some(date!(2026 - 04 - 25)),
                decision_no: "绍越卫移〔2026〕2号".into(),
                party: Some("张三".into()),
            },
        ],
        execution: Some("当事人已于2026年5月6日缴清全部罚款，本案结案".into()),
        related_outcome: Some("绍兴市公安局越城区分局对张三以涉嫌非法行医罪立案侦查".into()),
    }
}

// ---- prefill ------------------------------------------------------------------------------

#[test]
fn the_intro_follows_the_seed_order_one_paragraph_each() {
    let case = prefill(&input());
    assert_eq!(case.title, "美丽人生医疗美容诊所超范围开展医疗美容项目案");
    assert_eq!(case.analysis, "");
    assert_eq!(case.suggestions, "");
    let paragraphs: Vec<&str> = case.intro.split('\n').collect();
    assert_eq!(paragraphs.len(), 6, "{}", case.intro);
    // 受理情况, 调查经过, 主要证据, 适用的法律法规, 处罚决定及履行情况, 另案处理结果.
    assert!(paragraphs[0].starts_with("2026年3月5日，绍兴市越城区卫生健康局根据群众投诉举报，对“美丽人生医疗美容诊所超范围开展医疗美容项目案”立案调查（案件类别：医疗机构）。"), "{}", paragraphs[0]);
    assert!(paragraphs[0].contains(&format!(
        "当事人为：绍兴市越城区美丽人生医疗美容诊所（统一社会信用代码：{}，地址：绍兴市越城区解放北路88号2楼）；张三（身份证号码：{ID}，住址：浙江省绍兴市柯桥区笛扬路100号3幢201室）。",
        uscc()
    )));
    assert_eq!(
        paragraphs[1],
        "立案后，绍兴市越城区卫生健康局指派执法人员王五、赵六依法开展调查。经查，当事人美丽人生医疗美容诊所在未取得相应诊疗科目的情况下，由张三为顾客注射透明质酸钠，违法所得3000元。"
    );
    assert_eq!(
        paragraphs[2],
        "本案取得的主要证据有：现场检查笔录、询问笔录（张三）、收费票据。"
    );
    assert_eq!(
        paragraphs[3],
        "经审查，本案适用《医疗机构管理条例》第四十七条（诊疗活动超出登记范围）、第四十八条，《医疗机构管理条例实施细则》第八十条的规定。"
    );
    assert_eq!(
        paragraphs[4],
        "2026年4月20日，绍兴市越城区卫生健康局依法作出行政处罚决定（绍越卫医罚〔2026〕12号），对绍兴市越城区美丽人生医疗美容诊所作出警告、罚款人民币3000.50元的处罚。\
         2026年4月21日，绍兴市越城区卫生健康局依法作出行政处罚决定（绍越卫医罚〔2026〕13号），对张三作出罚款人民币5000元的处罚。\
         2026年4月25日，绍兴市越城区卫生健康局将涉嫌犯罪的案件移送司法机关（绍越卫移〔2026〕2号）。\
         当事人已于2026年5月6日缴清全部罚款，本案结案。"
    );
    assert_eq!(
        paragraphs[5],
        "另案处理方面，绍兴市公安局越城区分局对张三以涉嫌非法行医罪立案侦查。"
    );
}

#[test]
fn what_the_record_lacks_is_left_out() {
    let bare = TypicalCaseInput {
        title: "某案".into(),
        facts: "经查，当事人无证开展注射美容。".into(),
        ..TypicalCaseInput::default()
    };
    let case = prefill(&bare);
    assert_eq!(
        case.intro,
        "执法机关对“某案”立案调查。\n立案后，执法机关依法开展调查。经查，当事人无证开展注射美容。"
    );
    assert_eq!(
        prefill(&TypicalCaseInput::default()).intro,
        "执法机关对本案立案调查。\n立案后，执法机关依法开展调查。"
    );
}

#[test]
fn origins_read_as_sentences() {
    for (origin, clause) in [
        ("监督检查", "根据监督检查中发现的线索，"),
        ("双随机抽查", "根据“双随机、一公开”抽查中发现的线索，"),
        ("网络监测", "根据网络监测发现的线索，"),
        ("部门移送", "根据有关部门移送的线索，"),
        ("信访转办", "根据信访转办线索，"),
    ] {
        let i = TypicalCaseInput {
            origin: origin.into(),
            authority: "甲局".into(),
            ..TypicalCaseInput::default()
        };
        assert!(
            prefill(&i)
                .intro
                .starts_with(&format!("甲局{clause}对本案")),
            "{origin}"
        );
    }
    let other = TypicalCaseInput {
        origin: "其他".into(),
        authority: "甲局".into(),
        ..TypicalCaseInput::default()
    };
    assert!(prefill(&other).intro.starts_with("甲局对本案立案调查"));
}

#[test]
fn many_evidence_files_are_summed_up() {
    let i = TypicalCaseInput {
        evidence: (1..=12).map(|n| format!("照片{n}.JPEG")).collect(),
        ..TypicalCaseInput::default()
    };
    let intro = prefill(&i).intro;
    assert!(
        intro.contains("本案取得的主要证据有：照片1、照片2、照片3、照片4、照片5、照片6、照片7、照片8、照片9、照片10等12份证据材料。"),
        "{intro}"
    );
    assert_eq!(evidence_name("检查记录2026.03"), "检查记录2026.03");
    assert_eq!(evidence_name("录音.mp3"), "录音");
    assert_eq!(evidence_name("扫描件.tar"), "扫描件");
}

#[test]
fn amounts_and_dates_read_in_chinese() {
    assert_eq!(amount_zh(Fen(500_000)), "人民币5000元");
    assert_eq!(amount_zh(Fen(123_456)), "人民币1234.56元");
    assert_eq!(amount_zh(Fen(5)), "人民币0.05元");
    assert_eq!(date_zh(date!(2026 - 11 - 30)), "2026年11月30日");
    assert_eq!(sentence("缴清罚款，"), "缴清罚款。");
    assert_eq!(sentence("缴清罚款。"), "缴清罚款。");
    assert_eq!(sentence("  "), "");
}

// ---- length ---------------------------------------------------------------------------------

fn case_of(title: &str, intro: &str, analysis: &str, suggestions: &str) -> TypicalCase {
    TypicalCase {
        title: title.into(),
        intro: intro.into(),
        analysis: analysis.into(),
        suggestions: suggestions.into(),
    }
}

#[test]
fn length_counts_title_headings_and_sections_with_punctuation() {
    // The three printed headings are 6 characters each.
    assert_eq!(length(&TypicalCase::default()), 18);
    let c = case_of("案例", "甲，乙。", "“丙”！", "（丁）；…");
    assert_eq!(length(&c), 18 + 2 + 4 + 4 + 5);
    // Half-width punctuation and ASCII letters and digits count one each.
    assert_eq!(count_chars("罚款3000.50元,A"), 12);
    assert_eq!(count_chars("2026年"), 5);
    // White space, line breaks and the full-width space are not counted.
    assert_eq!(count_chars("甲 乙\n丙\t丁\u{3000}戊\r\n"), 5);
    // A character outside the basic plane is one.
    assert_eq!(count_chars("𠀀"), 1);
}

#[test]
fn over_1200_is_refused_naming_the_count() {
    let fill = |n: usize| case_of("名", &"字".repeat(n), "评", "议");
    // 18 headings + 1 + n + 1 + 1.
    let exact = fill(MAX_CHARS - 21);
    assert_eq!(check_length(&exact), Ok(MAX_CHARS));
    assert_eq!(check(&exact), Ok(MAX_CHARS));
    let over = fill(MAX_CHARS - 20);
    let err = check_length(&over).unwrap_err();
    assert_eq!(err, TypicalCaseError::TooLong { count: 1201 });
    assert_eq!(
        err.to_string(),
        "案例共 1201 字（含案例名称、小标题和标点符号），超过 1200 字的限定，请删减 1 字"
    );
    // Line breaks do not push a case over.
    let broken = case_of("名", &"字\n".repeat(MAX_CHARS - 21), "评", "议");
    assert_eq!(check(&broken), Ok(MAX_CHARS));
    // Punctuation does.
    let punct = case_of("名", &"。".repeat(MAX_CHARS - 20), "评", "议");
    assert!(matches!(
        check(&punct),
        Err(TypicalCaseError::TooLong { count: 1201 })
    ));
}

#[test]
fn an_empty_part_is_refused_for_handing_up_but_not_as_a_draft() {
    let draft = case_of("名", "介绍", "", "建议");
    assert_eq!(check_length(&draft), Ok(18 + 1 + 2 + 2));
    let err = check(&draft).unwrap_err();
    assert_eq!(err, TypicalCaseError::Empty(Part::Analysis));
    assert_eq!(err.to_string(), "请填写案件评析");
    assert_eq!(
        check(&case_of(" ", "a", "b", "c")).unwrap_err().to_string(),
        "请填写案例名称"
    );
}

#[test]
fn sections_are_in_the_seed_order_with_their_headings() {
    let c = case_of("名", "介绍", "评析", "建议");
    assert_eq!(
        c.sections(),
        [
            ("【案情介绍】", "介绍"),
            ("【案件评析】", "评析"),
            ("【思考建议】", "建议")
        ]
    );
    assert!(Part::Intro
        .guide()
        .starts_with("案情介绍应是对案情过程的描述"));
    assert!(Part::Suggestions
        .guide()
        .ends_with("对法条的引用可采取链接形式。"));
}

// ---- anonymisation ----------------------------------------------------------------------------

#[test]
fn names_become_their_kind() {
    assert_eq!(anonymise_person("张三"), "张某");
    assert_eq!(anonymise_person("欧阳娜娜"), "欧阳某");
    assert_eq!(anonymise_person("欧阳"), "欧某");
    assert_eq!(anonymise_person("李"), "某");
    assert_eq!(
        anonymise_authority("绍兴市越城区卫生健康局"),
        "某区卫生健康局"
    );
    assert_eq!(
        anonymise_authority("浙江省卫生健康委员会"),
        "某省卫生健康委员会"
    );
    assert_eq!(
        anonymise_authority("杭州市市场监督管理局"),
        "某市市场监督管理局"
    );
    assert_eq!(
        anonymise_authority("枣庄市市中区卫生健康局"),
        "某区卫生健康局"
    );
    assert_eq!(anonymise_authority("宁乡市卫生健康局"), "某市卫生健康局");
    assert_eq!(
        anonymise_authority("市卫生健康行政执法队"),
        "某市卫生健康行政执法队"
    );
    assert_eq!(
        anonymise_organisation("绍兴市越城区美丽人生医疗美容诊所"),
        "某医疗美容诊所"
    );
    assert_eq!(
        anonymise_organisation("杭州颜值生物科技有限公司"),
        "某生物科技有限公司"
    );
    assert_eq!(anonymise_organisation("越城区小美美容店"), "某美容店");
    assert_eq!(anonymise_organisation("绍兴市人民医院"), "某医院");
    assert_eq!(anonymise_organisation("阿花小铺子店"), "某店");
    assert_eq!(anonymise_organisation("阿花"), "某单位");
    assert_eq!(
        anonymise_address("绍兴市越城区解放北路88号2楼201室"),
        "某市某区某路某号"
    );
    assert_eq!(
        anonymise_address("浙江省杭州市西湖区文三路"),
        "某省某市某区某路"
    );
    assert_eq!(anonymise_address("幸福小区3幢"), "某小区某幢");
    assert_eq!(anonymise_address("门口"), "某地");
}

fn kinds(a: &Anonymised) -> Vec<(ReplacementKind, &str, &str)> {
    a.replacements
        .iter()
        .map(|r| (r.kind, r.original.as_str(), r.replacement.as_str()))
        .collect()
}

#[test]
fn the_prefilled_case_is_anonymised_and_every_replacement_listed() {
    let input = input();
    let a = anonymise(&prefill(&input), &input);
    let paragraphs: Vec<&str> = a.case.intro.split('\n').collect();
    assert_eq!(
        paragraphs[0],
        "2026年3月5日，某区卫生健康局根据群众投诉举报，对“某医疗美容诊所超范围开展医疗美容项目案”立案调查（案件类别：医疗机构）。\
         当事人为：某医疗美容诊所（统一社会信用代码：****，地址：某市某区某路某号）；张某（身份证号码：****，住址：某省某市某区某路某号）。"
    );
    assert_eq!(
        paragraphs[1],
        "立案后，某区卫生健康局指派执法人员甲、执法人员乙依法开展调查。经查，当事人某医疗美容诊所在未取得相应诊疗科目的情况下，由张某为顾客注射透明质酸钠，违法所得3000元。"
    );
    assert_eq!(
        paragraphs[2],
        "本案取得的主要证据有：现场检查笔录、询问笔录（张某）、收费票据。"
    );
    assert!(paragraphs[4].starts_with("2026年4月20日，某区卫生健康局依法作出行政处罚决定（****），对某医疗美容诊所作出警告、罚款人民币3000.50元的处罚。"), "{}", paragraphs[4]);
    assert!(paragraphs[4].contains("某区卫生健康局将涉嫌犯罪的案件移送司法机关（****）。"));
    assert_eq!(
        paragraphs[5],
        "另案处理方面，某市公安局某区分局对张某以涉嫌非法行医罪立案侦查。"
    );
    assert_eq!(a.case.title, "某医疗美容诊所超范围开展医疗美容项目案");

    let k = kinds(&a);
    let has = |kind, original: &str, replacement: &str| {
        assert!(
            k.contains(&(kind, original, replacement)),
            "{kind:?} {original} → {replacement} not in {k:#?}"
        );
    };
    has(
        ReplacementKind::Party,
        "美丽人生医疗美容诊所",
        "某医疗美容诊所",
    );
    has(
        ReplacementKind::Authority,
        "绍兴市越城区卫生健康局",
        "某区卫生健康局",
    );
    has(ReplacementKind::Officer, "王五", "执法人员甲");
    has(ReplacementKind::Officer, "赵六", "执法人员乙");
    has(
        ReplacementKind::Party,
        "绍兴市越城区美丽人生医疗美容诊所",
        "某医疗美容诊所",
    );
    has(ReplacementKind::Party, "张三", "张某");
    has(ReplacementKind::Uscc, &uscc(), MASK);
    has(ReplacementKind::IdNumber, ID, MASK);
    has(
        ReplacementKind::Address,
        "绍兴市越城区解放北路88号2楼",
        "某市某区某路某号",
    );
    has(
        ReplacementKind::Address,
        "浙江省绍兴市柯桥区笛扬路100号3幢201室",
        "某省某市某区某路某号",
    );
    has(ReplacementKind::DecisionNo, "绍越卫医罚〔2026〕12号", MASK);
    has(ReplacementKind::DecisionNo, "绍越卫移〔2026〕2号", MASK);
    has(ReplacementKind::Place, "绍兴市", "某市");
    has(ReplacementKind::Place, "越城区", "某区");
    // Where: the title's replacement is listed under the title, with its place.
    let title = a
        .replacements
        .iter()
        .find(|r| r.part == Part::Title)
        .unwrap();
    assert_eq!(
        (title.original.as_str(), title.positions.as_slice()),
        ("美丽人生医疗美容诊所", &[0][..])
    );
    // Each position points at the replacement in the replaced text.
    for r in &a.replacements {
        let text: Vec<char> = a.case.part(r.part).chars().collect();
        for &p in &r.positions {
            let written = r.replacement.as_str();
            let at: String = text[p..p + written.chars().count()].iter().collect();
            assert_eq!(at, written, "{r:?}");
        }
    }
}

#[test]
fn nothing_recorded_is_left_and_a_second_pass_changes_nothing() {
    let input = input();
    let mut case = prefill(&input);
    case.analysis = "王五、赵六在检查中发现，张三使用的药品来源不明。绍兴市越城区美丽人生医疗美容诊所负责人未能提供进货票据。".into();
    case.suggestions =
        "建议越城区卫生健康局加强对美丽人生诊所等机构的日常监管，笛扬路100号一带应重点巡查。"
            .into();
    let a = anonymise(&case, &input);
    let all: String = Part::ALL
        .iter()
        .map(|&p| a.case.part(p))
        .collect::<Vec<_>>()
        .join("|");
    let mut recorded = vec![
        input.authority.clone(),
        "越城区".into(),
        "绍兴市".into(),
        "柯桥区".into(),
        "浙江省".into(),
        "美丽人生".into(),
        "解放北路".into(),
        "笛扬路".into(),
        "88号".into(),
        "100号".into(),
    ];
    recorded.extend(input.officers.iter().cloned());
    for p in &input.parties {
        recorded.push(p.name.clone());
        recorded.extend(p.id_number.clone());
        recorded.extend(p.address.clone());
    }
    recorded.extend(input.actions.iter().map(|a| a.decision_no.clone()));
    for r in &recorded {
        assert!(!all.contains(r.as_str()), "{r} left in {all}");
    }
    assert!(a
        .case
        .analysis
        .starts_with("执法人员甲、执法人员乙在检查中发现，张某使用的药品"));
    assert!(a.case.analysis.contains("某医疗美容诊所负责人"));
    assert_eq!(
        a.case.suggestions,
        "建议某区卫生健康局加强对某诊所等机构的日常监管，某路某号一带应重点巡查。"
    );
    let again = anonymise(&a.case, &input);
    assert_eq!(again.case, a.case);
    assert!(again.replacements.is_empty(), "{:#?}", again.replacements);
}

fn text_of(input: &TypicalCaseInput, text: &str) -> (String, Vec<(ReplacementKind, String)>) {
    let (out, found) = Anonymiser::new(input).text(Part::Intro, text);
    (
        out,
        found.into_iter().map(|r| (r.kind, r.original)).collect(),
    )
}

#[test]
fn numbers_are_found_by_their_form() {
    let none = TypicalCaseInput::default();
    let code = uscc();
    let (out, found) = text_of(
        &none,
        &format!("信用代码{code}，身份证{ID}，手机13812345678，座机0575-88137125，许可证登记号PDY12345X33060217A5292。"),
    );
    assert_eq!(
        out,
        "信用代码****，身份证****，手机****，座机****，许可证登记号****。"
    );
    assert_eq!(
        found,
        vec![
            (ReplacementKind::Uscc, code),
            (ReplacementKind::IdNumber, ID.to_string()),
            (ReplacementKind::Phone, "13812345678".into()),
            (ReplacementKind::Phone, "0575-88137125".into()),
            (ReplacementKind::Licence, "PDY12345X33060217A5292".into()),
        ]
    );
    // An 18-digit number with a wrong check digit is still an identity number; a lower-case x too.
    let (out, _) = text_of(&none, "号码330602199003071231与33060219900307123x");
    assert_eq!(out, "号码****与****");
    // A shorter number after a label; a 15-digit certificate; full-width digits.
    let (out, found) = text_of(&none, "执法证号：3306001，医师执业证书110330100012345，电话：88137125，编号１２３４５６７８９０１２");
    assert_eq!(
        out,
        "执法证号：****，医师执业证书****，电话：****，编号****"
    );
    assert_eq!(found[2].0, ReplacementKind::Phone);
    // Amounts, years, counts and product numbers stay.
    let plain = "2026年罚款5000元，违法所得12345.67元，注射3次，药品批准文号国药准字S20100014，注册证国械注准20153130123。";
    assert_eq!(text_of(&none, plain).0, plain);
}

#[test]
fn decision_numbers_of_enforcement_and_courts_are_masked_normative_documents_kept() {
    let none = TypicalCaseInput::default();
    let (out, found) = text_of(
        &none,
        "作出越卫医罚〔2026〕12号决定，下达柯卫责改字[2026]第3号责令改正通知书，法院作出（2026）浙0602刑初12号判决，依据国卫医发〔2020〕18号和卫办医政发〔2009〕220号文件。",
    );
    assert_eq!(
        out,
        "作出****决定，下达****责令改正通知书，法院作出****判决，依据国卫医发〔2020〕18号和卫办医政发〔2009〕220号文件。"
    );
    assert!(found.iter().all(|(k, _)| *k == ReplacementKind::DecisionNo));
    assert_eq!(found[0].1, "越卫医罚〔2026〕12号");
    assert_eq!(found[1].1, "柯卫责改字[2026]第3号");
    assert_eq!(found[2].1, "（2026）浙0602刑初12号");
}

#[test]
fn road_addresses_are_found_by_their_form() {
    let none = TypicalCaseInput::default();
    let (out, found) = text_of(
        &none,
        "该店位于越城区人民中路18号2幢301室，另在张家村5号设有仓库。",
    );
    assert_eq!(out, "该店位于越城区某路某号，另在某村某号设有仓库。");
    assert_eq!(
        found[0],
        (ReplacementKind::Address, "人民中路18号2幢301室".into())
    );
    assert_eq!(found[1], (ReplacementKind::Address, "张家村5号".into()));
    // A road without a number stays (it names no house).
    assert_eq!(text_of(&none, "沿解放路巡查").0, "沿解放路巡查");
}

#[test]
fn officers_read_as_officers_with_or_without_the_title_before() {
    let i = TypicalCaseInput {
        officers: vec!["王五".into(), "赵六".into(), "孙七".into()],
        ..TypicalCaseInput::default()
    };
    assert_eq!(
        text_of(&i, "执法人员王五和赵六到场，孙七记录。").0,
        "执法人员甲和执法人员乙到场，执法人员丙记录。"
    );
}

#[test]
fn two_persons_of_one_surname_stay_apart() {
    let i = TypicalCaseInput {
        parties: vec![
            TypicalParty {
                kind: PartyKind::Person,
                name: "张三".into(),
                id_number: None,
                address: None,
            },
            TypicalParty {
                kind: PartyKind::Person,
                name: "张四".into(),
                id_number: None,
                address: None,
            },
            TypicalParty {
                kind: PartyKind::Person,
                name: "欧阳娜娜".into(),
                id_number: None,
                address: None,
            },
        ],
        actions: vec![TypicalAction {
            kind: "罚款".into(),
            amount: Some(Fen(100)),
            decided_on: None,
            decision_no: String::new(),
            party: Some("李四".into()),
        }],
        ..TypicalCaseInput::default()
    };
    assert_eq!(
        text_of(&i, "张三与张四、欧阳娜娜、李四").0,
        "张某甲与张某乙、欧阳某、李某"
    );
}

#[test]
fn shorter_forms_of_recorded_names_are_replaced() {
    let input = input();
    let (out, _) = text_of(
        &input,
        "越城区卫生健康局会同柯桥区有关部门，检查了解放北路88号和美丽人生医疗美容诊所。",
    );
    assert_eq!(
        out,
        "某区卫生健康局会同某区有关部门，检查了某路某号和某医疗美容诊所。"
    );
}

#[test]
fn authorities_are_known_by_their_short_names_too() {
    let i = TypicalCaseInput {
        authority: "绍兴市越城区卫生健康局".into(),
        ..TypicalCaseInput::default()
    };
    assert_eq!(
        text_of(&i, "绍兴市越城区卫健局、越城区卫健局和越城区卫生健康局").0,
        "某区卫健局、某区卫健局和某区卫生健康局"
    );
    let m = TypicalCaseInput {
        authority: "绍兴市市场监督管理局".into(),
        ..TypicalCaseInput::default()
    };
    assert_eq!(
        text_of(&m, "绍兴市市监局会同绍兴市市场监管局").0,
        "某市市监局会同某市市场监管局"
    );
    let w = TypicalCaseInput {
        authority: "绍兴市卫生健康委员会".into(),
        ..TypicalCaseInput::default()
    };
    assert_eq!(text_of(&w, "绍兴市卫健委").0, "某市卫健委");
}

proptest::proptest! {
    /// Any text, made of the characters the detectors look at: no panic, and a second pass
    /// finds nothing more.
    #[test]
    fn anonymising_any_text_is_total_and_stable(
        text in "[0-9Xx张三王五某市区县路街村号楼室罚卫〔〕（）()\\[\\]第：:电话编号代码,，。 -]{0,60}"
    ) {
        let input = input();
        let a = Anonymiser::new(&input);
        let (once, _) = a.text(Part::Intro, &text);
        let (twice, found) = a.text(Part::Intro, &once);
        proptest::prop_assert_eq!(&twice, &once);
        proptest::prop_assert!(found.is_empty(), "{:?}", found);
    }
}
