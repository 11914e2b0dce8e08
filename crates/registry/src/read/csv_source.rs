//! Streaming CSV rows (CSV 数据源): the `csv` crate over the file's raw bytes, fields decoded
//! one by one.
//!
//! UTF-8 and GB18030 are parsed as bytes: neither encoding uses the bytes of `,` `"` TAB CR LF
//! inside a multi-byte character, so splitting before decoding is exact. UTF-16 is transcoded
//! to UTF-8 on the fly (encoding_rs_io). Memory stays bounded: one record at a time, and a
//! record over [`MAX_RECORD_BYTES`] (an unbalanced quote swallowing the file) ends the read.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use encoding_rs::{UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::encoding::{FieldDecoder, TextEncoding};
use super::raw::{RawItem, RawRow};

/// The largest record read: 16 MiB.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;
const BUFFER: usize = 64 * 1024;

/// Counts the bytes read from the file, for the progress bar.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// The error [`RecordGuard`] raises.
#[derive(Debug)]
struct RecordTooLong;

impl std::fmt::Display for RecordTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("record too long")
    }
}

impl std::error::Error for RecordTooLong {}

/// The bytes handed to the CSV parser from the start of the current record on: they give the
/// record's physical line (the parser's own line count starts before skipped blank lines and
/// CR LF remainders) and bound the record's size.
#[derive(Default)]
struct Window {
    /// Stream offset of `buf[0]`.
    base: u64,
    buf: Vec<u8>,
    /// Index in `buf` of the current record's first byte.
    start: usize,
    /// Line feeds before `start`.
    lines: u64,
}

impl Window {
    fn pending(&self) -> u64 {
        (self.buf.len() - self.start) as u64
    }

    /// Moves the record start to stream offset `offset` (where the parser stands before it
    /// reads the next record), counting the line feeds passed.
    fn advance_to(&mut self, offset: u64) {
        let target = usize::try_from(offset.saturating_sub(self.base))
            .unwrap_or(usize::MAX)
            .clamp(self.start, self.buf.len());
        self.lines += count_line_feeds(&self.buf[self.start..target]);
        self.start = target;
        if self.start >= BUFFER && self.start * 2 >= self.buf.len() {
            self.buf.drain(..self.start);
            self.base += self.start as u64;
            self.start = 0;
        }
    }

    /// The 1-based line of the record just read: the parser skips blank lines and the LF of a
    /// CR LF before the record's first byte.
    fn record_line(&self) -> u64 {
        let skipped = self.buf[self.start..]
            .iter()
            .take_while(|&&b| b == b'\r' || b == b'\n');
        self.lines + count_line_feeds_iter(skipped) + 1
    }
}

fn count_line_feeds(bytes: &[u8]) -> u64 {
    count_line_feeds_iter(bytes.iter())
}

fn count_line_feeds_iter<'a>(bytes: impl Iterator<Item = &'a u8>) -> u64 {
    bytes.filter(|&&b| b == b'\n').count() as u64
}

type Shared = Arc<Mutex<Window>>;

fn lock(window: &Shared) -> MutexGuard<'_, Window> {
    window.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Records what it delivers in the [`Window`] and refuses to deliver more than
/// [`MAX_RECORD_BYTES`] past the start of the current record.
struct RecordGuard<R> {
    inner: R,
    window: Shared,
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if lock(&self.window).pending() > MAX_RECORD_BYTES {
            return Err(io::Error::other(RecordTooLong));
        }
        let n = self.inner.read(buf)?;
        lock(&self.window).buf.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

type Input = RecordGuard<Box<dyn Read + Send>>;

/// The rows of one CSV file, the header included.
pub(crate) struct CsvSource {
    reader: csv::Reader<Input>,
    record: csv::ByteRecord,
    decoder: FieldDecoder,
    window: Shared,
    done: bool,
}

impl CsvSource {
    /// `file` must be positioned after the BOM; `counter` receives the bytes read.
    pub(crate) fn new(
        file: File,
        encoding: &TextEncoding,
        delimiter: u8,
        counter: Arc<AtomicU64>,
    ) -> CsvSource {
        let counted = Counting {
            inner: file,
            count: counter,
        };
        let bytes: Box<dyn Read + Send> =
            if encoding.encoding == UTF_16LE || encoding.encoding == UTF_16BE {
                let transcoded = DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding.encoding))
                    .build(counted);
                Box::new(BufReader::with_capacity(BUFFER, transcoded))
            } else {
                Box::new(counted)
            };
        let window: Shared = Arc::default();
        let input = RecordGuard {
            inner: bytes,
            window: Arc::clone(&window),
        };
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(BUFFER)
            .from_reader(input);
        CsvSource {
            reader,
            record: csv::ByteRecord::new(),
            decoder: FieldDecoder::new(encoding.encoding),
            window,
            done: false,
        }
    }

    pub(crate) fn next_item(&mut self) -> Option<RawItem> {
        if self.done {
            return None;
        }
        lock(&self.window).advance_to(self.reader.position().byte());
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {
                let line = lock(&self.window).record_line();
                let fields = self.record.iter().map(|f| self.decoder.decode(f)).collect();
                Some(RawItem::Row(RawRow { line, fields }))
            }
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                let line = lock(&self.window).record_line();
                let too_long = matches!(e.kind(), csv::ErrorKind::Io(io)
                    if io.get_ref().is_some_and(|inner| inner.is::<RecordTooLong>()));
                let reason = if too_long {
                    format!(
                        "从第{line}行开始的一条记录超过 {} MiB，可能是引号不配对（字段中有单个 \"）；文件其余部分未读取",
                        MAX_RECORD_BYTES / (1024 * 1024)
                    )
                } else {
                    format!("读取文件时出错，其余部分未读取：{e}")
                };
                Some(RawItem::Failed { line, reason })
            }
        }
    }
}

/// Tab when the first line has more tabs than commas, else comma. `text` is the first bytes
/// after any BOM, in an ASCII-compatible encoding.
pub(crate) fn sniff_delimiter(text: &[u8]) -> u8 {
    let line = text.split(|&b| b == b'\n').next().unwrap_or(text);
    let tabs = line.iter().filter(|&&b| b == b'\t').count();
    let commas = line.iter().filter(|&&b| b == b',').count();
    if tabs > commas {
        b'\t'
    } else {
        b','
    }
}
