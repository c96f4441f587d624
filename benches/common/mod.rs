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
