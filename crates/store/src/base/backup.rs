//! Online backup of the SQLite database and its restore.
//!
//! `VACUUM INTO` writes a consistent snapshot while the server keeps running (it reads one
//! transaction's view). A manifest beside the copy records its SHA-256 and row counts;
//! restore refuses a copy that does not match it. PostgreSQL is backed up with its own tools
//! (`pg_dump -Fc`), which the command line says when asked.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{audit, Backend, Store, StoreError};

/// Tables whose row counts the manifest records.
const TABLES: [&str; 9] = [
    "department",
    "account",
    "session",
    "audit_entry",
    "audit_head",
    "import_run",
    "import_rejection",
    "registry_record",
    "registry_version",
];

/// What a backup wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub rows: Vec<(String, i64)>,
}

/// The manifest's path for a backup file: `FILE.manifest.json`.
pub fn manifest_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".manifest.json");
    PathBuf::from(name)
}

fn sha256_file(path: &Path) -> Result<(u64, String), StoreError> {
    let bytes = std::fs::read(path)
        .map_err(|e| StoreError::Other(format!("无法读取 {}：{e}", path.display())))?;
    Ok((bytes.len() as u64, hex::encode(Sha256::digest(&bytes))))
}

async fn row_counts(store: &Store) -> Result<Vec<(String, i64)>, StoreError> {
    let mut rows = Vec::new();
    for table in TABLES {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(store.pool())
            .await?;
        rows.push((table.to_string(), n));
    }
    Ok(rows)
}

/// Writes a consistent copy of a running SQLite database to `dest` (which must not exist)
/// and its manifest.
#[tracing::instrument(skip_all)]
pub async fn backup(store: &Store, dest: &Path) -> Result<Manifest, StoreError> {
    if store.backend() != Backend::Sqlite {
        return Err(StoreError::Other(
            "PostgreSQL 数据库请用 pg_dump 备份，例如：pg_dump -Fc -f meijian.dump \"$MEIJIAN_DATABASE_URL\""
                .to_string(),
        ));
    }
    if dest.exists() {
        return Err(StoreError::Other(format!(
            "{} 已存在，不会覆盖",
            dest.display()
        )));
    }
    if let Some(parent) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| StoreError::Other(format!("无法创建目录 {}：{e}", parent.display())))?;
    }
    let dest_text = dest
        .to_str()
        .ok_or_else(|| StoreError::Other("备份路径须为 UTF-8".to_string()))?;
    sqlx::query("vacuum into $1")
        .bind(dest_text)
        .execute(store.pool())
        .await?;
    let copy = Store::connect(&format!("sqlite:{dest_text}")).await?;
    let rows = row_counts(&copy).await;
    copy.close().await;
    let rows = rows?;
    let (bytes, sha256) = sha256_file(dest)?;
    let manifest = Manifest {
        file: dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        bytes,
        sha256,
        rows,
    };
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|e| StoreError::Other(e.to_string()))?;
    std::fs::write(manifest_path(dest), json)
        .map_err(|e| StoreError::Other(format!("无法写入备份清单：{e}")))?;
    Ok(manifest)
}

/// Checks a backup against its manifest, SQLite's integrity check and the audit chain, then
/// copies it to `target` (which must not exist unless `overwrite`). Returns the manifest.
#[tracing::instrument(skip_all)]
pub async fn restore(src: &Path, target: &Path, overwrite: bool) -> Result<Manifest, StoreError> {
    let text = std::fs::read_to_string(manifest_path(src)).map_err(|e| {
        StoreError::Other(format!(
            "找不到备份清单 {}：{e}",
            manifest_path(src).display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| StoreError::Other(format!("备份清单无法解析：{e}")))?;
    let (bytes, sha256) = sha256_file(src)?;
    if bytes != manifest.bytes || sha256 != manifest.sha256 {
        return Err(StoreError::Other(
            "备份文件与清单不符（大小或 SHA-256 不同）：文件已损坏或被修改".to_string(),
        ));
    }
    if target.exists() && !overwrite {
        return Err(StoreError::Other(format!(
            "{} 已存在；确认要覆盖请加 --force",
            target.display()
        )));
    }
    let tmp = target.with_extension("restoring");
    std::fs::copy(src, &tmp).map_err(|e| StoreError::Other(format!("复制失败：{e}")))?;
    let tmp_text = tmp.to_string_lossy().into_owned();
    let checked = check_copy(&tmp_text, &manifest).await;
    if let Err(e) = checked {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&tmp, target).map_err(|e| StoreError::Other(format!("替换失败：{e}")))?;
    Ok(manifest)
}

async fn check_copy(path: &str, manifest: &Manifest) -> Result<(), StoreError> {
    let copy = Store::connect(&format!("sqlite:{path}")).await?;
    let result = async {
        let ok: String = sqlx::query_scalar("pragma integrity_check")
            .fetch_one(copy.pool())
            .await?;
        if ok != "ok" {
            return Err(StoreError::Other(format!("SQLite 完整性检查失败：{ok}")));
        }
        if row_counts(&copy).await? != manifest.rows {
            return Err(StoreError::Other("备份中的记录数与清单不符".to_string()));
        }
        match audit::verify(&copy).await? {
            audit::Verdict::Intact { .. } => Ok(()),
            audit::Verdict::Broken { seq, reason } => Err(StoreError::Other(format!(
                "备份中的审计链在第 {seq} 条断开：{reason}"
            ))),
        }
    }
    .await;
    // Leave no WAL beside the copy before it is moved into place.
    let _ = sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(copy.pool())
        .await;
    copy.close().await;
    result
}
