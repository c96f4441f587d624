//! Measuring helpers shared by the benchmarks: memory from `/proc/self/status`, the load average,
//! and unit conversions.

/// `(VmRSS, VmHWM)` of this process in bytes, from `/proc/self/status` (0 where unavailable).
pub fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The 1, 5 and 15 minute load averages, as `uptime` prints them.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Bytes to MB (10⁶ bytes).
pub fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// The minor page faults of this process so far (fresh memory touched for the first time),
/// from `/proc/self/stat` (0 where unavailable).
#[allow(dead_code)]
pub fn minor_faults() -> u64 {
    proc_stat_field(7)
}

/// Field `i` of `/proc/self/stat` after the command name (0 = the state), as a number.
fn proc_stat_field(i: usize) -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    rest.split_whitespace()
        .nth(i)
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
}

/// CPU time this process has used so far (all its threads, user and system), in milliseconds,
/// from `/proc/self/stat` (10 ms resolution; 0 where unavailable). Less disturbed than wall
/// time by a busy machine: a thread waiting for a core is not charged.
#[allow(dead_code)]
pub fn cpu_ms() -> u64 {
    // utime and stime (fields 14 and 15 of the line), in ticks of 10 ms (`CLK_TCK` is 100 on
    // Linux).
    (proc_stat_field(11) + proc_stat_field(12)) * 10
}
