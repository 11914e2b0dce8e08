//! The city being modelled: its districts (real GB/T 2260 codes from the embedded region table),
//! their weights and roads, and the names of the authorities that keep each registry.
//!
//! 枣庄市 (370400) has hand-made weights and road names; any other city gets uniform weights and
//! a generic road list.

use meijian_domain::{RegionCode, RegionLevel, RegionTable};

use crate::error::DemoDataError;
use crate::pools::GENERIC_ROADS;

/// A county-level region of the city.
pub(crate) struct District {
    pub code: String,
    /// 薛城区, 滕州市.
    pub name: String,
    /// 薛城, 滕州.
    pub short: String,
    /// A county-level city (滕州市): names and authorities stand without the prefecture.
    pub county_city: bool,
    pub roads: Vec<&'static str>,
}

/// The prefecture-level city and its districts.
pub(crate) struct City {
    pub code: String,
    /// 枣庄市.
    pub name: String,
    /// 枣庄.
    pub short: String,
    /// 山东省.
    pub province: String,
    /// 鲁: the province's one-character abbreviation.
    pub province_abbr: &'static str,
    pub districts: Vec<District>,
    pub weights: Vec<u32>,
}

impl City {
    /// Loads a prefecture-level city from the embedded region table.
    pub(crate) fn load(code: &str) -> Result<City, DemoDataError> {
        let table = RegionTable::embedded();
        let unknown = || DemoDataError::UnknownCity(code.to_string());
        let rc = RegionCode::parse(code).map_err(|_| unknown())?;
        let region = table.get(&rc).ok_or_else(unknown)?;
        if region.level != RegionLevel::City {
            return Err(unknown());
        }
        let province = table
            .ancestors(&rc)
            .first()
            .map(|p| p.name.clone())
            .unwrap_or_default();
        let name = if region.name == "市辖区" || region.name.ends_with("直辖县级行政区划")
        {
            province.clone()
        } else {
            region.name.clone()
        };
        let districts: Vec<District> = table
            .children(&rc)
            .into_iter()
            .filter(|r| r.level == RegionLevel::County && r.name != "市辖区")
            .map(|r| District {
                code: r.code.as_str().to_string(),
                short: short_name(&r.name),
                county_city: r.name.ends_with('市'),
                roads: roads_of(r.code.as_str()),
                name: r.name.clone(),
            })
            .collect();
        if districts.is_empty() {
            return Err(DemoDataError::NoDistricts(code.to_string()));
        }
        let weights = districts.iter().map(|d| weight_of(&d.code)).collect();
        Ok(City {
            code: code.to_string(),
            short: short_name(&name),
            name,
            province_abbr: province_abbr(&code[..2]),
            province,
            districts,
            weights,
        })
    }

    /// The district as written after the city in an address or name: 枣庄市薛城区, or 滕州市
    /// alone for a county-level city.
    pub(crate) fn city_district(&self, d: usize) -> String {
        let district = &self.districts[d];
        if district.county_city {
            district.name.clone()
        } else {
            format!("{}{}", self.name, district.name)
        }
    }

    /// 市场监督管理局 of a district, or of the city when `city_level`.
    pub(crate) fn market_authority(&self, d: usize, city_level: bool) -> String {
        if city_level {
            format!("{}市场监督管理局", self.name)
        } else {
            format!("{}市场监督管理局", self.city_district(d))
        }
    }

    /// 卫生健康局 of a district, or the city's 卫生健康委员会 when `city_level`.
    pub(crate) fn health_authority(&self, d: usize, city_level: bool) -> String {
        if city_level {
            format!("{}卫生健康委员会", self.name)
        } else {
            format!("{}卫生健康局", self.city_district(d))
        }
    }

    /// 国家税务总局…税务局 of a district.
    pub(crate) fn tax_authority(&self, d: usize) -> String {
        format!("国家税务总局{}税务局", self.city_district(d))
    }
}

/// 薛城区 → 薛城, 台儿庄区 → 台儿庄, 枣庄市 → 枣庄; names of two characters stay whole.
fn short_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if name.ends_with("自治县") && chars.len() > 3 {
        return chars[..2].iter().collect();
    }
    match chars.last() {
        Some('区' | '县' | '市' | '旗') if chars.len() > 2 => {
            chars[..chars.len() - 1].iter().collect()
        }
        _ => name.to_string(),
    }
}

fn weight_of(code: &str) -> u32 {
    match code {
        "370402" => 18,
        "370403" => 16,
        "370404" => 10,
        "370405" => 8,
        "370406" => 8,
        "370481" => 40,
        _ => 10,
    }
}

fn roads_of(code: &str) -> Vec<&'static str> {
    let roads = match code {
        "370402" => "光明路 文化路 建华路 振兴路 君山路 青檀路 龙头路 中兴大道 解放路 立新路",
        "370403" => "永福路 长江路 黄河路 珠江路 燕山路 泰山路 祁连山路 光明大道 临山路 武夷山路",
        "370404" => "坛山路 承水路 榴园路 峨山路 古邵路 月河路",
        "370405" => "华兴路 兴中路 金光路 箭道街 文化路 长安路",
        "370406" => "府前路 北京路 汉诺路 翼云路 新城路",
        "370481" => "善国路 学院路 荆河路 塔寺路 北辛路 龙泉路 杏坛路 解放路 平行路 大同路",
        _ => return GENERIC_ROADS.to_vec(),
    };
    roads.split(' ').collect()
}

/// Two-digit province codes and their one-character abbreviations (DOMAIN §6.2).
const PROVINCE_ABBRS: &str = "11京12津13冀14晋15蒙21辽22吉23黑31沪32苏33浙34皖35闽36赣37鲁41豫42鄂\
                              43湘44粤45桂46琼50渝51川52贵53云54藏61陕62甘63青64宁65新";

fn province_abbr(code2: &str) -> &'static str {
    PROVINCE_ABBRS
        .char_indices()
        .filter(|(_, c)| !c.is_ascii())
        .find(|&(i, _)| PROVINCE_ABBRS.get(i.saturating_sub(2)..i) == Some(code2))
        .and_then(|(i, c)| PROVINCE_ABBRS.get(i..i + c.len_utf8()))
        .unwrap_or("国")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zaozhuang_has_its_six_districts() {
        let city = City::load("370400");
        let Ok(city) = city else {
            panic!("370400 should load");
        };
        let names: Vec<&str> = city.districts.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(
            names,
            ["市中区", "薛城区", "峄城区", "台儿庄区", "山亭区", "滕州市"]
        );
        assert_eq!(city.short, "枣庄");
        assert_eq!(city.province, "山东省");
        assert_eq!(
            city.market_authority(1, false),
            "枣庄市薛城区市场监督管理局"
        );
        assert_eq!(city.market_authority(5, false), "滕州市市场监督管理局");
        assert_eq!(city.districts[3].short, "台儿庄");
        assert_eq!(city.districts[0].short, "市中");
        assert_eq!(city.province_abbr, "鲁");
        assert_eq!(province_abbr("65"), "新");
        assert_eq!(province_abbr("99"), "国");
    }

    #[test]
    fn bad_codes_are_refused() {
        assert!(matches!(
            City::load("370402"),
            Err(DemoDataError::UnknownCity(_))
        ));
        assert!(matches!(
            City::load("37040"),
            Err(DemoDataError::UnknownCity(_))
        ));
    }
}
