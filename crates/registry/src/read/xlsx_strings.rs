//! Shared strings (共享字符串表) without holding them in memory.
//!
//! calamine reads every string of `sharedStrings.xml` into memory when it opens a workbook. Here
//! the part is a stream ([`SstReader`]): the header check reads it only up to the strings the
//! header row uses, and a large table is written to a temporary file ([`SpilledStrings`]) that
//! the sheet reader looks strings up in, so memory stays bounded whatever the table's size.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use quick_xml::events::Event;
use quick_xml::name::QName;

use super::xlsx_book::{Book, Part};
use super::xlsx_xml::{attr, eof, read_string, xml_error};

/// The smallest string item (`<si/>`): a declared count above size / this is impossible.
const MIN_ITEM_BYTES: u64 = 5;
/// A declared count calamine may reserve without question (10 M × 24 bytes of address space).
const PLAIN_COUNT: u64 = 10_000_000;

/// The strings of `sharedStrings.xml` in order, one at a time.
pub(crate) struct SstReader<'a> {
    xml: Part<'a>,
    buf: Vec<u8>,
    item_buf: Vec<u8>,
    text_buf: Vec<u8>,
    read: usize,
    done: bool,
}

impl<'a> SstReader<'a> {
    /// The shared strings of `book`, `None` when it has none. The declared `uniqueCount` is
    /// checked against the part's size: calamine reserves room for that many strings before
    /// reading one, and an absurd count would make that allocation fail and end the process.
    pub(crate) fn open(book: &'a mut Book) -> Result<Option<SstReader<'a>>, String> {
        let path = book.shared_strings();
        let size = book.size(&path).unwrap_or(0);
        let Some(mut xml) = book.part(&path)? else {
            return Ok(None);
        };
        let mut buf = Vec::with_capacity(1024);
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf).map_err(|e| xml_error(&e))? {
                Event::Start(e) if e.local_name().as_ref() == "sst" => {
                    if let Some(count) = attr(&e, "uniqueCount")? {
                        if let Ok(count) = count.parse::<u64>() {
                            if count > PLAIN_COUNT && count > size / MIN_ITEM_BYTES {
                                return Err(format!(
                                    "共享字符串表声明有 {count} 个字符串，但只有 {size} 字节，不是正常的工作簿"
                                ));
                            }
                        }
                    }
                    break;
                }
                Event::Eof => return Err(eof("sst")),
                _ => {}
            }
        }
        Ok(Some(SstReader {
            xml,
            buf,
            item_buf: Vec::with_capacity(1024),
            text_buf: Vec::with_capacity(1024),
            read: 0,
            done: false,
        }))
    }

    /// The next string, `None` after the last.
    pub(crate) fn next_string(&mut self) -> Result<Option<String>, String> {
        while !self.done {
            self.buf.clear();
            let name = match self
                .xml
                .read_event_into(&mut self.buf)
                .map_err(|e| xml_error(&e))?
            {
                Event::Start(e) if e.local_name().as_ref() == "si" => e.name().as_ref().to_owned(),
                Event::End(e) if e.local_name().as_ref() == "sst" => {
                    self.done = true;
                    break;
                }
                Event::Eof => return Err(eof("sst")),
                _ => continue,
            };
            let text = read_string(
                &mut self.xml,
                QName(&name),
                &mut self.item_buf,
                &mut self.text_buf,
            )?;
            self.read += 1;
            return Ok(Some(text));
        }
        Ok(None)
    }

    /// How many strings have been read.
    pub(crate) fn read(&self) -> usize {
        self.read
    }
}

/// Strings per entry of the in-memory index: memory is 8 bytes per this many strings.
const BLOCK: usize = 64;
/// Slots of the cache of short strings (repeated values: status, type, authority).
const CACHE_SLOTS: usize = 16_384;
/// Only strings up to this length are cached, so the cache stays under 5 MiB.
const CACHE_MAX_BYTES: usize = 256;
/// The read buffer: a jump back to a block refills it, so it is about one block's size.
const READ_BUFFER: usize = 8 * 1024;

/// A shared-string table written to a temporary file: each string as a 4-byte length and its
/// UTF-8 bytes, the file offset of every [`BLOCK`]th string in memory. A lookup reads forward
/// from the block's start, which for the usual order of a sheet (strings numbered in the order
/// they first appear) is the next record of the file. The file is deleted when dropped.
pub(crate) struct SpilledStrings {
    file: BufReader<File>,
    blocks: Vec<u64>,
    count: usize,
    /// File offset of the record `next`.
    pos: u64,
    next: usize,
    cache: Vec<Option<(usize, Box<str>)>>,
}

/// A temporary file in `dir` (next to the file being read: an upload directory is on disk,
/// while the system's temporary directory may be memory), else in the temporary directory.
fn temp_file(dir: Option<&Path>) -> Result<File, String> {
    dir.and_then(|d| tempfile::tempfile_in(d).ok())
        .map_or_else(tempfile::tempfile, Ok)
        .map_err(|e| format!("无法创建临时文件：{e}"))
}

impl SpilledStrings {
    /// Writes every remaining string of `sst` to a temporary file in `dir`.
    pub(crate) fn spill(
        mut sst: SstReader<'_>,
        dir: Option<&Path>,
    ) -> Result<SpilledStrings, String> {
        let io = |e: std::io::Error| format!("写入临时文件时出错：{e}");
        let mut out = BufWriter::with_capacity(256 * 1024, temp_file(dir)?);
        let mut blocks = Vec::new();
        let mut offset = 0u64;
        let mut count = 0usize;
        while let Some(text) = sst.next_string()? {
            if count.is_multiple_of(BLOCK) {
                blocks.push(offset);
            }
            let len = u32::try_from(text.len()).map_err(|_| "共享字符串过长".to_owned())?;
            out.write_all(&len.to_le_bytes()).map_err(io)?;
            out.write_all(text.as_bytes()).map_err(io)?;
            offset += 4 + u64::from(len);
            count += 1;
        }
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(SpilledStrings {
            file: BufReader::with_capacity(READ_BUFFER, file),
            blocks,
            count,
            pos: 0,
            next: 0,
            cache: vec![None; CACHE_SLOTS],
        })
    }

    /// String `index`, `None` past the end of the table.
    pub(crate) fn get(&mut self, index: usize) -> Result<Option<String>, String> {
        if index >= self.count {
            return Ok(None);
        }
        let slot = index % CACHE_SLOTS;
        if let Some((cached, text)) = &self.cache[slot] {
            if *cached == index {
                return Ok(Some(text.to_string()));
            }
        }
        let io = |e: std::io::Error| format!("读取临时文件时出错：{e}");
        if !(self.next <= index && index - self.next < BLOCK) {
            let block = index / BLOCK;
            let target = self.blocks[block];
            // Relative: a target inside the read buffer keeps the buffer.
            let delta = i64::try_from(i128::from(target) - i128::from(self.pos))
                .map_err(|_| "临时文件偏移量错误".to_owned())?;
            self.file.seek_relative(delta).map_err(io)?;
            self.pos = target;
            self.next = block * BLOCK;
        }
        let mut len = [0u8; 4];
        while self.next < index {
            self.file.read_exact(&mut len).map_err(io)?;
            let skip = u32::from_le_bytes(len);
            self.file.seek_relative(i64::from(skip)).map_err(io)?;
            self.pos += 4 + u64::from(skip);
            self.next += 1;
        }
        self.file.read_exact(&mut len).map_err(io)?;
        let n = u32::from_le_bytes(len);
        let mut bytes = vec![0u8; n as usize];
        self.file.read_exact(&mut bytes).map_err(io)?;
        self.pos += 4 + u64::from(n);
        self.next += 1;
        let text = String::from_utf8(bytes).map_err(|e| format!("临时文件损坏：{e}"))?;
        if text.len() <= CACHE_MAX_BYTES {
            self.cache[slot] = Some((index, text.as_str().into()));
        }
        Ok(Some(text))
    }
}
