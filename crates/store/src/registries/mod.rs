//! The registries (登记数据) of DATA.md: imports with their history, the records as listed and
//! searched, and the search index behind the search box.

pub mod import;
pub mod records;
pub mod search_index;
