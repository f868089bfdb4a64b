//! The advisory: what becomes public when a case is published (PROCESS.md, Public and
//! private). Filled in by the publication work (issue: publication and exports).
