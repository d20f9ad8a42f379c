//! Erasure that reaches the disk. sled writes a log, and a removed or replaced value
//! stays in it until sled happens to reuse the space: a withdrawn vacancy's contact
//! person would stay readable in `db/db`. So the first write that removes or replaces a
//! record marks the store (`db.erase`, created and synced before that write), and within
//! the hour or at the next clean stop the store is rewritten: every live entry is copied
//! into a fresh database (`db.compact`), which is synced, put in place of the old one by
//! two renames, and the old one is deleted; then the mark goes.
//!
//! A crash at any point leaves a whole database and the mark: at open, a fresh copy
//! that was complete but not yet in place is put in place, any other leftover is deleted,
//! and the next rewrite runs again.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use super::StoreError;

/// The mark: something removed or replaced may still be on disk.
pub(crate) fn mark_path(db: &Path) -> PathBuf {
    db.with_extension("erase")
}

/// Where the fresh copy is written.
pub(crate) fn fresh_path(db: &Path) -> PathBuf {
    db.with_extension("compact")
}

/// Where the old database waits between the two renames.
fn old_path(db: &Path) -> PathBuf {
    db.with_extension("old")
}

/// Where the mark also says the fresh copy is complete.
fn complete_path(db: &Path) -> PathBuf {
    fresh_path(db).join("complete")
}

fn io_error(action: &str, path: &Path, e: io::Error) -> StoreError {
    if e.kind() == io::ErrorKind::StorageFull {
        StoreError::DiskFull
    } else {
        StoreError::Engine(format!("cannot {action} {}: {e}", path.display()))
    }
}

/// Makes the renames and removals in the directory holding `db` durable.
fn sync_parent(db: &Path) -> Result<(), StoreError> {
    let parent = db.parent().unwrap_or(Path::new("."));
    File::open(parent)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| io_error("sync", parent, e))
}

/// Whether the store is marked.
pub(crate) fn marked(db: &Path) -> bool {
    mark_path(db).exists()
}

/// Marks the store, durably, before a write that removes or replaces a record.
pub(crate) fn mark(db: &Path) -> Result<(), StoreError> {
    let path = mark_path(db);
    File::create(&path)
        .and_then(|file| file.sync_all())
        .map_err(|e| io_error("create", &path, e))?;
    sync_parent(db)
}

/// Removes the mark once the rewrite is in place.
pub(crate) fn unmark(db: &Path) -> Result<(), StoreError> {
    let path = mark_path(db);
    match std::fs::remove_file(&path) {
        Ok(()) => sync_parent(db),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", &path, e)),
    }
}

fn remove_dir(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error("remove", path, e)),
    }
}

/// Finishes or undoes a rewrite a crash interrupted, before the database opens.
pub(crate) fn recover(db: &Path) -> Result<(), StoreError> {
    let (fresh, old) = (fresh_path(db), old_path(db));
    let left = [&fresh, &old, &db.join("complete")];
    if left.iter().all(|p| !p.exists()) {
        // Nothing was interrupted (every start but one after a crash mid-rewrite).
        return Ok(());
    }
    if !db.exists() && complete_path(db).exists() {
        // Between the two renames: the fresh copy is complete; put it in place.
        std::fs::rename(&fresh, db).map_err(|e| io_error("rename", &fresh, e))?;
    } else if !db.exists() && old.exists() {
        std::fs::rename(&old, db).map_err(|e| io_error("rename", &old, e))?;
    }
    let _ = std::fs::remove_file(db.join("complete"));
    remove_dir(&fresh)?;
    remove_dir(&old)?;
    sync_parent(db)
}

/// Copies the schema entry of `from`'s default tree and every entry of its tree
/// `records` into a fresh database at [`fresh_path`], opened by `open` as the store
/// opens its own, then synced and marked complete.
pub(crate) fn copy(
    from: &sled::Db,
    (name, records): (&str, &sled::Tree),
    schema_key: &[u8],
    db: &Path,
    open: impl FnOnce(&Path) -> Result<sled::Db, StoreError>,
) -> Result<(), StoreError> {
    let fresh = fresh_path(db);
    remove_dir(&fresh)?;
    let engine = super::sled_store::engine;
    {
        let to = open(&fresh)?;
        if let Some(schema) = from.get(schema_key).map_err(engine)? {
            to.insert(schema_key, schema).map_err(engine)?;
        }
        let tree = to.open_tree(name).map_err(engine)?;
        let mut batch = sled::Batch::default();
        let mut in_batch = 0;
        for entry in records.iter() {
            let (key, value) = entry.map_err(engine)?;
            batch.insert(key, value);
            in_batch += 1;
            if in_batch == 1024 {
                tree.apply_batch(std::mem::take(&mut batch))
                    .map_err(engine)?;
                in_batch = 0;
            }
        }
        tree.apply_batch(batch).map_err(engine)?;
        to.flush().map_err(engine)?;
    }
    let log = fresh.join("db");
    File::open(&log)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("sync", &log, e))?;
    let complete = complete_path(db);
    File::create(&complete)
        .and_then(|f| f.sync_all())
        .map_err(|e| io_error("create", &complete, e))?;
    File::open(&fresh)
        .and_then(|dir| dir.sync_all())
        .map_err(|e| io_error("sync", &fresh, e))
}

/// Puts the fresh copy in place of `db` (closed by the caller) and deletes the old one.
pub(crate) fn replace(db: &Path) -> Result<(), StoreError> {
    let (fresh, old) = (fresh_path(db), old_path(db));
    remove_dir(&old)?;
    std::fs::rename(db, &old).map_err(|e| io_error("rename", db, e))?;
    std::fs::rename(&fresh, db).map_err(|e| io_error("rename", &fresh, e))?;
    sync_parent(db)?;
    let complete = db.join("complete");
    let _ = std::fs::remove_file(complete);
    remove_dir(&old)?;
    sync_parent(db)
}
