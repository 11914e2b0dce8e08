//! The nine output files and the ground truth line that goes with every record of the five
//! cross-check registries. Each record goes straight to its file: nothing is kept in memory but
//! the row counts.

use std::path::Path;

use crate::csv_out::CsvFile;
use crate::error::DemoDataError;
use crate::schema::{self, FileSpec};
use crate::summary::TrueClass;

/// The operator a record belongs to, as the ground truth names it.
pub(crate) struct OpRef<'a> {
    pub id: &'a str,
    pub class: TrueClass,
}

/// The open output files.
pub(crate) struct Sink {
    registrations: CsvFile,
    licenses: CsvFile,
    salons: CsvFile,
    platforms: CsvFile,
    tax: CsvFile,
    practitioners: CsvFile,
    products: CsvFile,
    ads: CsvFile,
    truth: CsvFile,
    classes: [usize; 5],
}

impl Sink {
    pub(crate) fn create(dir: &Path) -> Result<Sink, DemoDataError> {
        Ok(Sink {
            registrations: CsvFile::create(dir, &schema::REGISTRATIONS)?,
            licenses: CsvFile::create(dir, &schema::LICENSES)?,
            salons: CsvFile::create(dir, &schema::SALON_FILINGS)?,
            platforms: CsvFile::create(dir, &schema::PLATFORM_MERCHANTS)?,
            tax: CsvFile::create(dir, &schema::TAX)?,
            practitioners: CsvFile::create(dir, &schema::PRACTITIONERS)?,
            products: CsvFile::create(dir, &schema::PRODUCTS)?,
            ads: CsvFile::create(dir, &schema::AD_CERTIFICATES)?,
            truth: CsvFile::create(dir, &schema::GROUND_TRUTH)?,
            classes: [0; 5],
        })
    }

    /// Counts one operator of `class`.
    pub(crate) fn count_operator(&mut self, class: TrueClass) {
        if let Some(i) = TrueClass::ALL.iter().position(|&c| c == class) {
            self.classes[i] += 1;
        }
    }

    fn truth(&mut self, spec: &FileSpec, key: &str, op: &OpRef<'_>) -> Result<(), DemoDataError> {
        let source = spec.source.unwrap_or_default();
        self.truth.row(&[source, key, op.id, op.class.label()])
    }

    pub(crate) fn registration(
        &mut self,
        op: &OpRef<'_>,
        row: [&str; 10],
    ) -> Result<(), DemoDataError> {
        self.registrations.row(&row)?;
        self.truth(&schema::REGISTRATIONS, row[0], op)
    }

    pub(crate) fn license(&mut self, op: &OpRef<'_>, row: [&str; 13]) -> Result<(), DemoDataError> {
        self.licenses.row(&row)?;
        self.truth(&schema::LICENSES, row[0], op)
    }

    pub(crate) fn salon(&mut self, op: &OpRef<'_>, row: [&str; 7]) -> Result<(), DemoDataError> {
        self.salons.row(&row)?;
        self.truth(&schema::SALON_FILINGS, row[0], op)
    }

    pub(crate) fn platform(&mut self, op: &OpRef<'_>, row: [&str; 8]) -> Result<(), DemoDataError> {
        self.platforms.row(&row)?;
        self.truth(&schema::PLATFORM_MERCHANTS, row[6], op)
    }

    pub(crate) fn tax(&mut self, op: &OpRef<'_>, row: [&str; 5]) -> Result<(), DemoDataError> {
        self.tax.row(&row)?;
        self.truth(&schema::TAX, row[0], op)
    }

    pub(crate) fn practitioner(&mut self, row: [&str; 10]) -> Result<(), DemoDataError> {
        self.practitioners.row(&row)
    }

    pub(crate) fn product(&mut self, row: [&str; 11]) -> Result<(), DemoDataError> {
        self.products.row(&row)
    }

    pub(crate) fn ad(&mut self, row: [&str; 7]) -> Result<(), DemoDataError> {
        self.ads.row(&row)
    }

    /// Flushes every file; rows per file in [`schema::ALL_FILES`] order and operators per class.
    #[allow(clippy::type_complexity)]
    pub(crate) fn finish(
        self,
    ) -> Result<(Vec<(&'static str, usize)>, Vec<(TrueClass, usize)>), DemoDataError> {
        let files = [
            self.registrations,
            self.licenses,
            self.salons,
            self.platforms,
            self.tax,
            self.practitioners,
            self.products,
            self.ads,
            self.truth,
        ];
        let mut rows = Vec::with_capacity(files.len());
        for (file, spec) in files.into_iter().zip(schema::ALL_FILES) {
            rows.push((spec.file_name, file.finish()?));
        }
        let classes = TrueClass::ALL.iter().copied().zip(self.classes).collect();
        Ok((rows, classes))
    }
}
