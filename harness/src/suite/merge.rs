//! `gauntlet merge`: combines the report folders of sharded runs (`--shard I/N` across CI
//! jobs) into one report folder with one verdict, as if the suite had run in one job.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::bail;

use super::baseline::{self, Baseline};
use super::features::FeatureSet;
use crate::report::{Gate, RunReport, files};

/// Reads every folder's `report.json` and combines them. `gate` overrides the shards' gate
/// (which must otherwise agree). A baseline the shards were judged by (the same in each) is
/// applied again to the merged run.
pub fn merge(dirs: &[PathBuf], gate: Option<Gate>) -> anyhow::Result<RunReport> {
    let Some((first, rest)) = dirs.split_first() else {
        bail!("gauntlet merge needs at least one report folder");
    };
    let mut merged = files::read(first)?;
    merged.shard = None;
    let mut places: HashSet<(String, usize)> = HashSet::new();
    check_unique(&mut places, &merged, first)?;
    for dir in rest {
        let part = files::read(dir)?;
        if (part.direction.as_str(), part.target.as_str())
            != (merged.direction.as_str(), merged.target.as_str())
        {
            bail!(
                "{} holds a {} run against {:?}, {} a {} run against {:?}: only shards of one run \
                 can be merged",
                first.display(),
                merged.direction,
                merged.target,
                dir.display(),
                part.direction,
                part.target
            );
        }
        if gate.is_none() && part.gate != merged.gate {
            bail!(
                "the shards were run with different gates ({} and {}); choose one with --gate",
                merged.gate.name(),
                part.gate.name()
            );
        }
        check_unique(&mut places, &part, dir)?;
        let entries = |r: &RunReport| r.baseline.as_ref().map(|b| b.entries.clone());
        if entries(&part) != entries(&merged) {
            bail!(
                "the shards in {} and {} were judged by different baselines; give the one to \
                 apply with --baseline",
                first.display(),
                dir.display()
            );
        }
        let end = (merged.started_unix_ms + merged.duration_ms)
            .max(part.started_unix_ms + part.duration_ms);
        merged.started_unix_ms = merged.started_unix_ms.min(part.started_unix_ms);
        merged.duration_ms = end - merged.started_unix_ms;
        for feature in part.features {
            if !merged.features.iter().any(|f| f.path == feature.path) {
                merged.features.push(feature);
            }
        }
        merged.scenarios.extend(part.scenarios);
    }
    if let Some(gate) = gate {
        merged.gate = gate;
    }
    merged.features.sort_by(|a, b| a.path.cmp(&b.path));
    merged
        .scenarios
        .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    if let Some(judged) = merged.baseline.take() {
        Baseline {
            file: judged.file.into(),
            entries: judged.entries,
        }
        .apply(&mut merged);
    }
    Ok(merged)
}

/// Merges `dirs`, judges the merged run by `baseline` (a file; default: the shards' own) and
/// with `write_baseline` writes its gate failures as a baseline file, then writes every report
/// file into `out`.
pub fn merge_into(
    dirs: &[PathBuf],
    out: &Path,
    gate: Option<Gate>,
    baseline: Option<&Path>,
    write_baseline: Option<&Path>,
) -> anyhow::Result<RunReport> {
    let given = baseline.map(Baseline::load).transpose()?;
    let mut merged = merge(dirs, gate)?;
    if let Some(given) = &given {
        // Only the merged features are known here: an entry of another feature file cannot
        // be told from a typo, and is reported as not in the run.
        let features = FeatureSet {
            files: merged.features.clone(),
        }
        .parse()?;
        given.check_known(&super::engine::scenario_names(&features), false)?;
    }
    baseline::judge(&mut merged, given.as_ref(), write_baseline)?;
    files::write_all(&merged, out)?;
    Ok(merged)
}

/// Refuses a scenario that two folders both hold (the same shard given twice, or shards of
/// different splits).
fn check_unique(
    places: &mut HashSet<(String, usize)>,
    report: &RunReport,
    dir: &Path,
) -> anyhow::Result<()> {
    for s in &report.scenarios {
        if !places.insert((s.file.clone(), s.line)) {
            bail!(
                "{}:{} ({}) is in more than one report folder (last seen in {}): merge the shards \
                 of one split, each once",
                s.file,
                s.line,
                s.name,
                dir.display()
            );
        }
    }
    Ok(())
}
