//! The world's countries, from the ISO 3166 data of the `keshvar` crate: used to validate
//! `iso` codes and to tell "France is not a member or partner" apart from "not understood".

use std::collections::HashMap;
use std::sync::OnceLock;

/// A country of the world as the ISO data names it.
#[derive(Clone, Debug)]
pub struct WorldCountry {
    /// ISO 3166-1 alpha-2 code.
    pub alpha2: String,
    /// Its common English name ("South Korea", "France").
    pub name: &'static str,
    /// Every name the data knows: ISO short and long names, common names, translations.
    pub names: Vec<&'static str>,
    /// ISO 3166-1 numeric code (map data joins on it).
    pub numeric: u16,
}

fn all_map() -> &'static (Vec<WorldCountry>, HashMap<String, usize>) {
    static WORLD: OnceLock<(Vec<WorldCountry>, HashMap<String, usize>)> = OnceLock::new();
    WORLD.get_or_init(|| {
        let mut list = Vec::new();
        for c in keshvar::CountryIterator::new() {
            let unofficial = c.unofficial_name_list();
            let long = c.iso_long_name();
            let long = long.strip_prefix("The ").unwrap_or(long);
            let mut names = vec![c.iso_short_name(), long];
            names.extend(unofficial.iter().copied());
            list.push(WorldCountry {
                alpha2: c.alpha2().to_string(),
                name: unofficial.first().copied().unwrap_or(c.iso_short_name()),
                names,
                numeric: c.number().parse().unwrap_or(0),
            });
        }
        let map = list
            .iter()
            .enumerate()
            .map(|(i, c)| (c.alpha2.clone(), i))
            .collect();
        (list, map)
    })
}

/// Every country of the world.
pub fn all() -> &'static [WorldCountry] {
    &all_map().0
}

/// The country with an alpha-2 code (case-sensitive, upper case).
pub fn by_alpha2(code: &str) -> Option<&'static WorldCountry> {
    let (list, map) = all_map();
    map.get(code).map(|&i| &list[i])
}

/// The country with an ISO 3166-1 numeric code (156 is China).
pub fn by_numeric(code: u16) -> Option<&'static WorldCountry> {
    static BY: OnceLock<HashMap<u16, usize>> = OnceLock::new();
    let by = BY.get_or_init(|| {
        all()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.numeric != 0)
            .map(|(i, c)| (c.numeric, i))
            .collect()
    });
    by.get(&code).map(|&i| &all()[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_world_by_code_and_name() {
        assert!(all().len() >= 240);
        assert_eq!(by_alpha2("FR").map(|c| c.name), Some("France"));
        assert!(by_alpha2("XX").is_none());
        let cn = by_alpha2("CN").expect("China is in ISO 3166");
        assert!(cn.names.contains(&"Chine"));
        assert_eq!(by_numeric(156).map(|c| c.alpha2.as_str()), Some("CN"));
        assert_eq!(by_numeric(48).map(|c| c.alpha2.as_str()), Some("BH"));
    }
}
