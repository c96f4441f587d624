//! The `vpcsim` command line: a thin shell over the library. It parses flags, loads the
//! snapshot, runs the engine, prints, and owns every exit code (0 success, 2 usage or input
//! error; see README "Exit codes").

#![forbid(unsafe_code)]

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use vpcsim::model::SubnetId;
use vpcsim::reach::Engine;
use vpcsim::report::{self, Style};
use vpcsim::snapshot;

#[derive(Parser)]
#[command(
    name = "vpcsim",
    version,
    about = "Offline simulator of AWS VPC routing: what every subnet can reach, and why",
    long_about = "vpcsim rebuilds an account's routing state from `aws ec2 describe-*` JSON (or a compact TOML \
topology), evaluates route tables exactly as EC2 does, and says what every subnet can reach: the internet \
through an internet gateway or NAT gateway, on-premises networks through a virtual private gateway, peered \
VPCs, transit gateways, middlebox interfaces, endpoints, blackholes. It never calls AWS.",
    after_help = "Examples:\n  vpcsim reach --snapshot scenarios/example-topology/topology.toml\n  vpcsim reach --snapshot ./describe-output/ --subnet subnet-0abc --format json\n  vpcsim trace --snapshot ./describe-output/ --from i-0abc --to 8.8.8.8\n  vpcsim trace --snapshot ./describe-output/ --from internet --to 203.0.113.10\n\nExit codes: 0 success, 2 usage or input error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// When to colour text output: auto (only on a terminal, never with NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Copy, Clone, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Copy, Clone, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

/// Formats of `vpcsim test`.
#[derive(Copy, Clone, ValueEnum, PartialEq, Eq)]
enum TestFormat {
    /// A PASS / FAIL line per scenario with the first differences.
    Text,
    /// One JSON document (vpcsim/test/v1).
    Json,
    /// JUnit XML: one test case per scenario.
    Junit,
}

/// Picture formats of `vpcsim graph`.
#[derive(Copy, Clone, ValueEnum, PartialEq, Eq)]
enum GraphFormat {
    /// Graphviz DOT: `dot -Tsvg graph.dot > graph.svg`.
    Dot,
    /// Mermaid flowchart: paste into GitHub Markdown in a ```mermaid block.
    Mermaid,
}

/// Formats of the commands that report exposure changes (README "Output formats").
#[derive(Copy, Clone, ValueEnum, PartialEq, Eq)]
enum ChangeFormat {
    /// Aligned text (colour only on a terminal).
    Text,
    /// One JSON document with a documented schema.
    Json,
    /// One change or finding per line, for pipelines.
    Jsonl,
    /// A summary and tables for a pull-request comment.
    Markdown,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
}

#[derive(Subcommand)]
enum Command {
    /// What each subnet can reach: one block per subnet with its effective route table, its
    /// internet class per family (public, outbound-only, isolated), the hosts the internet can
    /// reach, and every destination range with its disposition and path.
    #[command(
        after_help = "The address space of each family is split into disjoint ranges with one outcome each; \
together they cover 0.0.0.0/0 and ::/0 exactly.\n\nExample:\n  vpcsim reach --snapshot scenarios/example-topology/topology.toml --subnet subnet-0a000002"
    )]
    Reach {
        /// A directory of describe-* JSON files (any names, any layout, Batfish aws_configs too),
        /// one JSON file holding several describe-* keys, or a .toml topology.
        #[arg(long, value_name = "PATH")]
        snapshot: PathBuf,
        /// Only these subnets (repeat the flag for several). Default: every subnet.
        #[arg(long, value_name = "ID")]
        subnet: Vec<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Replays CloudTrail records onto a snapshot (or onto nothing): every route-family record
    /// applied with EC2's rules, in time order, each with its outcome, what it exposed (graded,
    /// attributed, with the command that reverts it), the net change, denial-of-service
    /// findings, and a summary that accounts for every record read. Exits 1 on new exposure.
    #[command(
        after_help = "EVENTS are files or directories (walked in sorted order, the S3 layout \
AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/ included), or - for standard input: CloudTrail log \
files ({\"Records\": [...]}, .json or .json.gz), `aws cloudtrail lookup-events` output, EventBridge events, \
JSON Lines (CloudTrail Lake / Athena exports), a JSON array of records, or one bare record.\n\n\
Outcomes: applied, failed_in_aws (AWS rejected it and the model agrees), diverged (the model and AWS disagree: \
the starting state is stale or incomplete), duplicate, ignored (not a route-family call), unsupported \
(recognised, not modelled), malformed (the reason names the field), after_until.\n\n\
Exposure: under each applied record, what it changed (kind, grade, subnet, ranges, before -> after) and \
the command that reverts it; after the summary, the net change from the start to the end of the trail.\n\n\
Findings (denial of service): ROUTE_WRITE_BURST (--burst-writes writes by one principal within \
--burst-window seconds), ROUTE_QUOTA_NEAR (a table at --quota-warn percent of --route-limit), \
ROUTE_QUOTA_REACHED (records refused with RouteLimitExceeded).\n\n\
Exit codes (a CI gate): 0 no new exposure or finding at or above --min-severity, 1 new exposure (INTERNET_EXPOSED, HOST_EXPOSED, \
INTERNET_EGRESS_GAINED, ON_PREMISES_PATH_GAINED, PEER_PATH_GAINED, TRAFFIC_REDIRECTED or BLACKHOLED, by any \
record, even one a later record reverted) or a finding at or above it, 2 usage error or unreadable input (a broken file or a malformed \
record; everything readable is still replayed and reported; 2 wins over 1).\n\nExamples:\n  vpcsim replay --snapshot describe-output/ AWSLogs/\n  \
vpcsim replay --snapshot describe-output/ --min-severity high --format json planned.json"
    )]
    Replay {
        /// The starting state (as for `reach`). Without it, the replay starts from nothing and
        /// infers what the records imply.
        #[arg(long, value_name = "PATH")]
        snapshot: Option<PathBuf>,
        /// Apply only records at or before this time (RFC 3339, e.g. 2023-01-06T04:40:04Z).
        #[arg(long, value_name = "TIME")]
        until: Option<String>,
        /// Reject successful records that name resources the starting state lacks, instead of
        /// inferring them.
        #[arg(long)]
        strict: bool,
        /// Routes allowed per route table and family before RouteLimitExceeded.
        #[arg(long, value_name = "N", default_value_t = 50)]
        route_limit: usize,
        /// Do not compute what each record exposed (faster on very large models: the exposure
        /// of a record costs a copy of the model and the reach of the subnets it affects).
        #[arg(long)]
        no_exposure: bool,
        /// List exposure changes at this grade or more severe, and exit 1 when one of them is
        /// new exposure (a path gained, traffic captured or dropped). Lower grades are still
        /// counted in the summary.
        #[arg(long, value_enum, value_name = "GRADE", default_value_t = MinSeverity::Info)]
        min_severity: MinSeverity,
        /// A burst: this many route-family writes by one principal within --burst-window.
        #[arg(long, value_name = "N", default_value_t = 20)]
        burst_writes: usize,
        /// The burst window, in seconds of eventTime.
        #[arg(long, value_name = "SECONDS", default_value_t = 60)]
        burst_window: u32,
        /// Report a route table once its routes of a family reach this share of --route-limit.
        #[arg(long, value_name = "PERCENT", default_value_t = 80)]
        quota_warn: usize,
        /// CloudTrail files or directories, or - for standard input.
        #[arg(value_name = "EVENTS", required = true)]
        events: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ChangeFormat::Text)]
        format: ChangeFormat,
    },
    /// Says whether EC2 would accept planned changes and what each would expose, before they are
    /// made: AWS CLI commands (after --, or one per line in --commands FILE) or CloudTrail records.
    #[command(
        after_help = "Planned changes are applied to the snapshot in order: CloudTrail records from EVENTS first (in \
their time order), then the --commands file, then the command after --. Several commands after -- are \
separated by a quoted ';'. Nothing is inferred: a change naming something the snapshot lacks is rejected, \
as EC2 would reject it. The AWS CLI words are those of `aws ec2` (create-route, replace-route, delete-route, \
create-route-table, associate-route-table, disassociate-route-table, replace-route-table-association, \
attach-internet-gateway, detach-internet-gateway, delete-nat-gateway, enable-vgw-route-propagation, ...) \
with their real flags.\n\n\
Each step: accepted, or rejected with the error code EC2 would answer; the exposure changes it would cause \
(as in `vpcsim replay`) and the command that would undo it. Then the net change of the whole plan.\n\n\
Exit codes: 0 no new exposure at or above --min-severity, 1 new exposure found, 2 usage error or unreadable \
input (a command that cannot be read, a broken file).\n\nExamples:\n  \
vpcsim whatif --snapshot describe-output/ -- aws ec2 replace-route --route-table-id rtb-0a000002 \
--destination-cidr-block 0.0.0.0/0 --gateway-id igw-0a000001\n  \
vpcsim whatif --snapshot describe-output/ --commands change-1234.txt --format json"
    )]
    Whatif {
        /// The state the plan starts from (as for `reach`).
        #[arg(long, value_name = "PATH")]
        snapshot: PathBuf,
        /// A file of planned AWS CLI commands, one per line (# comments, \\ continues a line).
        #[arg(long, value_name = "FILE")]
        commands: Option<PathBuf>,
        /// Routes allowed per route table and family before RouteLimitExceeded.
        #[arg(long, value_name = "N", default_value_t = 50)]
        route_limit: usize,
        /// List exposure changes at this grade or more severe, and exit 1 when one of them is
        /// new exposure.
        #[arg(long, value_enum, value_name = "GRADE", default_value_t = MinSeverity::Info)]
        min_severity: MinSeverity,
        #[arg(long, value_enum, default_value_t = ChangeFormat::Text)]
        format: ChangeFormat,
        /// Planned changes as CloudTrail records (files or directories, as for `replay`).
        #[arg(value_name = "EVENTS")]
        events: Vec<PathBuf>,
        /// A planned AWS CLI command, after --: aws ec2 create-route --route-table-id ...
        #[arg(last = true, value_name = "AWS CLI COMMAND")]
        cli: Vec<String>,
    },
    /// The exposure changes between two states: two snapshots (--before, --after), or two
    /// points of a replay (--snapshot, EVENTS, --from, --to).
    #[command(
        after_help = "Every subnet of either state is compared, range by range, as Batfish's differential \
reachability does but per subnet and address range; a subnet in only one state is compared with its absence. \
Kinds and severities are those of `vpcsim replay`.\n\n\
Exit codes: 0 no new exposure at or above --min-severity, 1 new exposure found, 2 usage error or unreadable \
input.\n\nExamples:\n  vpcsim diff --before monday/ --after tuesday/\n  \
vpcsim diff --snapshot describe-output/ AWSLogs/ --from 2024-05-01T00:00:00Z --to 2024-05-02T00:00:00Z"
    )]
    Diff {
        /// The earlier snapshot (with --after).
        #[arg(long, value_name = "PATH", requires = "after", conflicts_with_all = ["snapshot", "from", "to"])]
        before: Option<PathBuf>,
        /// The later snapshot (with --before).
        #[arg(long, value_name = "PATH", requires = "before")]
        after: Option<PathBuf>,
        /// The starting state of a replay (with EVENTS); without it the replay starts from
        /// nothing.
        #[arg(long, value_name = "PATH")]
        snapshot: Option<PathBuf>,
        /// The earlier point: the state after every record at or before this time (default:
        /// the starting state).
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// The later point (default: the end of the trail).
        #[arg(long, value_name = "TIME")]
        to: Option<String>,
        /// Reject successful records that name resources the starting state lacks.
        #[arg(long)]
        strict: bool,
        /// List changes at this grade or more severe; exit 1 on new exposure among them.
        #[arg(long, value_enum, value_name = "GRADE", default_value_t = MinSeverity::Info)]
        min_severity: MinSeverity,
        #[arg(long, value_enum, default_value_t = ChangeFormat::Text)]
        format: ChangeFormat,
        /// CloudTrail files or directories (replay mode).
        #[arg(value_name = "EVENTS")]
        events: Vec<PathBuf>,
    },
    /// Which record gave a subnet its current reach (or, with --to, its current path to an
    /// address), and the chain of records that changed it.
    #[command(
        after_help = "The trail is replayed (as `vpcsim replay`, lenient unless --strict) with exposure on. For each \
outcome the subnet has at the end (ranges with one disposition and path), the last record whose exposure change \
covers those ranges set it; every record whose change covers them is in the chain. An outcome no record changed \
comes from the starting state.\n\n\
Exit codes: 0 success, 2 usage error (an unknown subnet, a bad address) or unreadable input.\n\nExamples:\n  \
vpcsim blame --snapshot describe-output/ AWSLogs/ --subnet subnet-0a000002\n  \
vpcsim blame --snapshot describe-output/ AWSLogs/ --subnet subnet-0a000002 --to 8.8.8.8"
    )]
    Blame {
        /// The starting state (as for `replay`).
        #[arg(long, value_name = "PATH")]
        snapshot: Option<PathBuf>,
        /// The subnet to explain.
        #[arg(long, value_name = "ID")]
        subnet: String,
        /// Explain only the path to this IPv4 or IPv6 address.
        #[arg(long, value_name = "ADDRESS")]
        to: Option<String>,
        /// Reject successful records that name resources the starting state lacks.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// CloudTrail files or directories, or - for standard input.
        #[arg(value_name = "EVENTS", required = true)]
        events: Vec<PathBuf>,
    },
    /// Draws VPCs, subnets, route tables and gateways, subnets coloured by exposure (public,
    /// outbound-only, isolated, blackhole), as Graphviz DOT or Mermaid.
    #[command(
        after_help = "With EVENTS, the state is the one the trail leads to (at --at, or at its end; lenient unless \
--strict). Subnets: red public, orange outbound-only, green isolated, a thick red border when some range is \
blackholed. Edges: subnet -> its route table (dashed for the main table), table -> each target labelled with \
its destinations (red dashed for blackhole routes), NAT gateway -> the subnet it is in.\n\n\
Examples:\n  vpcsim graph --snapshot describe-output/ | dot -Tsvg > vpc.svg\n  \
vpcsim graph --snapshot describe-output/ AWSLogs/ --at 2024-05-01T10:00:00Z --format mermaid"
    )]
    Graph {
        /// The snapshot (as for `reach`).
        #[arg(long, value_name = "PATH")]
        snapshot: PathBuf,
        /// Draw the state at this time of the trail (RFC 3339).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Reject successful records that name resources the snapshot lacks.
        #[arg(long)]
        strict: bool,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// CloudTrail files or directories to replay first (optional).
        #[arg(value_name = "EVENTS")]
        events: Vec<PathBuf>,
    },
    /// Writes the state a trail leads to (at a time, or at its end) as describe-* JSON files in
    /// the AWS CLI's shapes, which `--snapshot` reads back.
    #[command(
        after_help = "The replay is the same as `vpcsim replay` (lenient unless --strict); its summary goes to \
stderr and the files written to stdout. Importing an exported state and exporting it again gives identical \
files.\n\nExample:\n  vpcsim state --snapshot describe-output/ AWSLogs/ --at 2024-05-01T10:00:00Z --out state-then/"
    )]
    State {
        /// The starting state (as for `reach`); without it, the replay starts from nothing.
        #[arg(long, value_name = "PATH")]
        snapshot: Option<PathBuf>,
        /// The state just after the last record at or before this time (RFC 3339).
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        #[arg(long)]
        strict: bool,
        /// An empty (or new) directory to write the describe-* files into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// CloudTrail files or directories, or - for standard input.
        #[arg(value_name = "EVENTS", required = true)]
        events: Vec<PathBuf>,
    },
    /// Writes a labelled training set: a realistic organisation (describe-* JSON), a CloudTrail
    /// trail in the S3 layout mixing benign routing churn, API noise, failed calls and injected
    /// misuse episodes, and the ground truth as JSON Lines.
    #[command(
        after_help = "OUT receives:\n  snapshot/        describe-* JSON of the starting state (vpcsim --snapshot reads it)\n  \
AWSLogs/<account>/CloudTrail/us-east-1/<yyyy>/<mm>/<dd>/*.json.gz   the trail, one file per account and hour\n  \
truth.jsonl      one line per route-family event (outcome, exposure changes, episode and role), one per \
episode (pattern, technique, principal, its events, the events that remediated it in the trail and the commands \
that would), and a summary line (the counts `vpcsim replay` gives)\n\n\
Episodes (the three misuse patterns): internet_exposure (replace-route-nat-to-igw, create-route-igw-in-isolated-table, \
associate-private-subnet-with-public-table, main-table-replaced-by-public-table), traffic_capture \
(more-specific-route-to-appliance-interface, on-premises-range-to-peer-of-another-account), denial_of_service \
(route-flood, delete-nat-gateway). Each is remediated later by an operator: most within the hour, the rest 2 to 32 hours later (after the trail's end for some); until then benign churn keeps off that VPC.\n\n\
Every route-family call is checked against the model before it is written, so `vpcsim replay --snapshot \
OUT/snapshot OUT/AWSLogs` reports no diverged and no malformed record. The same seed and options give \
byte-identical files.\n\nExample:\n  vpcsim generate --seed 7 --out training/ --days 3 --attack-rate 0.03\n  \
vpcsim replay --snapshot training/snapshot training/AWSLogs --min-severity high --format jsonl"
    )]
    Generate {
        /// The seed: everything written derives from it.
        #[arg(long, value_name = "N")]
        seed: u64,
        /// A new or empty directory.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// AWS accounts in the organisation.
        #[arg(long, value_name = "A", default_value_t = 2)]
        accounts: usize,
        /// VPCs per account (public, private and isolated tiers in two zones, a NAT gateway,
        /// an S3 gateway endpoint; every other VPC a VPN gateway; neighbours peered).
        #[arg(long, value_name = "V", default_value_t = 3)]
        vpcs: usize,
        #[arg(long, value_name = "D", default_value_t = 2)]
        days: usize,
        /// Route-family calls per day, spread over working hours.
        #[arg(long, value_name = "E", default_value_t = 200)]
        events_per_day: usize,
        /// The chance that a route-family call starts a misuse episode instead (0 to 1).
        #[arg(long, value_name = "R", default_value_t = 0.02)]
        attack_rate: f64,
        /// Unrelated records (Describe*, STS, S3, KMS...) per route-family record.
        #[arg(long, value_name = "R2", default_value_t = 6.0)]
        noise_rate: f64,
    },
    /// Runs scenarios (a directory with a scenario.toml: a starting state, events, and what must
    /// come of them) and checks every expectation: a PASS or FAIL line per scenario, with the
    /// first differences (expected and actual) of each failure.
    #[command(
        after_help = "PATH is a scenario directory, a scenario.toml, or a folder searched (at any depth) for scenario directories; default `scenarios`. Scenarios run in path order. The format is documented in scenarios/README.md; each scenario is replayed as `vpcsim replay` would (exposure on, lenient unless its options say strict), then its expectations are checked: event outcomes and error codes, exposure changes, findings, traces and internet classes at any point of the run.\n\nFormats: text (a line per scenario; --verbose adds each scenario's whole report), json (vpcsim/test/v1), junit (JUnit XML for CI systems: one test case per scenario).\n\nExit codes: 0 every scenario passed, 1 some expectation failed, 2 a scenario could not run (a broken scenario file, a missing snapshot or event file; the others still run and are reported) or a usage error.\n\nExamples:\n  vpcsim test\n  vpcsim test my-scenarios/ --format junit > scenarios.xml\n  \
vpcsim test scenarios/internet-exposure-by-create-route --verbose"
    )]
    Test {
        /// Scenario directories, scenario.toml files, or folders of scenarios.
        #[arg(value_name = "PATH", default_value = "scenarios")]
        paths: Vec<PathBuf>,
        /// Print each scenario's whole report (events, replay, every check) under its line.
        #[arg(long)]
        verbose: bool,
        #[arg(long, value_enum, default_value_t = TestFormat::Text)]
        format: TestFormat,
    },
    /// The hop-by-hop path of one packet: each route table with the route that matched, each
    /// gateway, NAT gateway, appliance or peering connection, and the final disposition with
    /// explanations.
    #[command(
        after_help = "SOURCE is a subnet ID (vpcsim then assumes the host has a public address and says so), \
a network interface or instance ID, a private IP address inside a subnet, an internet or virtual private \
gateway ID (traffic entering the VPC through it, routed by its edge route table), or `internet` (with a \
public destination address owned by an interface).\n\nExamples:\n  vpcsim trace --snapshot snap/ --from subnet-0abc --to 8.8.8.8\n  vpcsim trace --snapshot snap/ --from 10.0.1.5 --to 10.1.0.7 --format json"
    )]
    Trace {
        #[arg(long, value_name = "PATH")]
        snapshot: PathBuf,
        /// Where the packet starts (see below).
        #[arg(long, value_name = "SOURCE")]
        from: String,
        /// The destination IPv4 or IPv6 address.
        #[arg(long, value_name = "ADDRESS")]
        to: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// `--min-severity` values: the exposure ladder (README "Exposure severity").
#[derive(Clone, Copy, Debug, ValueEnum)]
enum MinSeverity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl From<MinSeverity> for vpcsim::exposure::Severity {
    fn from(m: MinSeverity) -> Self {
        use vpcsim::exposure::Severity as S;
        match m {
            MinSeverity::Critical => S::Critical,
            MinSeverity::High => S::High,
            MinSeverity::Medium => S::Medium,
            MinSeverity::Low => S::Low,
            MinSeverity::Info => S::Info,
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn style(choice: ColorChoice) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    };
    Style { color }
}

/// Leaves a large model to the operating system, which reclaims it when the process exits
/// (the command is done with it): freeing a million routes one by one takes about as long as
/// reading them.
fn release<T>(model: T) {
    std::mem::forget(model);
}

/// Loads a snapshot. Fields that cannot be read are reported on stderr straight away; the
/// command goes on with everything that could be read, and `input_errors` makes it exit 2 at
/// the end.
fn load(path: &std::path::Path, input_errors: &mut usize) -> anyhow::Result<snapshot::Loaded> {
    match snapshot::load(path) {
        Ok(l) => Ok(l),
        Err(e) => match e.partial {
            Some(partial) => {
                eprintln!(
                    "error: {} field(s) of the snapshot {} could not be read; the results below use the rest of the snapshot as read:\n{}",
                    e.errors.len(),
                    path.display(),
                    snapshot::ImportError {
                        errors: e.errors.clone(),
                        partial: None
                    }
                );
                *input_errors += e.errors.len();
                Ok(*partial)
            }
            None => Err(anyhow::anyhow!(
                "cannot import the snapshot {}:\n{e}",
                path.display()
            )),
        },
    }
}

/// The exit status for input that was partly unreadable, after the report was written.
fn partial_input(input_errors: usize) -> anyhow::Result<()> {
    if input_errors > 0 {
        anyhow::bail!(
            "{input_errors} field(s) of the snapshot could not be read (see the errors before the results)"
        );
    }
    Ok(())
}

/// The value of a time flag (`--until`, `--at`, `--from`, `--to`), with advice when it is not
/// RFC 3339.
fn parse_time(flag: &str, t: Option<&str>) -> anyhow::Result<Option<vpcsim::cloudtrail::UtcTime>> {
    match t {
        None => Ok(None),
        Some(t) => vpcsim::cloudtrail::UtcTime::parse(t)
            .map(Some)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{flag} {t} is not a time; give RFC 3339 such as 2023-01-06T04:40:04Z"
                )
            }),
    }
}

/// Replays, showing progress on stderr when it is a terminal (replays of large trails with
/// exposure take a while); the progress line is erased before the report. It reads a clock
/// only to pace the display.
fn replay_shown(
    net: &mut vpcsim::model::Network,
    read: vpcsim::cloudtrail::ReadResult,
    opts: &vpcsim::replay::ReplayOptions,
) -> vpcsim::replay::Replay {
    if !std::io::stderr().is_terminal() {
        return vpcsim::replay::replay(net, read, opts);
    }
    let mut last: Option<std::time::Instant> = None;
    let replayed = vpcsim::replay::replay_with_progress(net, read, opts, &mut |done, total| {
        let now = std::time::Instant::now();
        if last.is_none_or(|t| now.duration_since(t).as_millis() >= 200) {
            last = Some(now);
            eprint!("\r\x1b[2Kreplaying: {done} of {total} records");
        }
    });
    eprint!("\r\x1b[2K");
    replayed
}

/// Reads trails, showing progress on stderr when it is a terminal (long reads of big trails);
/// the progress line is erased before the report. It reads a clock only to pace the display.
fn read_events(events: &[PathBuf]) -> vpcsim::cloudtrail::ReadResult {
    if !std::io::stderr().is_terminal() {
        return vpcsim::cloudtrail::read_inputs(events);
    }
    let mut last: Option<std::time::Instant> = None;
    let read = vpcsim::cloudtrail::read_inputs_with_progress(
        events,
        Box::new(move |path, files, records| {
            let now = std::time::Instant::now();
            if last.is_none_or(|t| now.duration_since(t).as_millis() >= 200) {
                last = Some(now);
                eprint!(
                    "\r\x1b[2Kreading: {files} files, {records} records ({})",
                    path.display()
                );
            }
        }),
    );
    eprint!("\r\x1b[2K");
    read
}

fn emit(s: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`vpcsim reach ... | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("cannot write the output"),
    }
}

/// Runs a command; `Ok(true)` when it found new exposure at or above the threshold (exit 1).
fn run(cli: Cli) -> anyhow::Result<bool> {
    let style = style(cli.color);
    let mut input_errors = 0usize;
    match cli.command {
        Command::Reach {
            snapshot,
            subnet,
            format,
        } => {
            let loaded = load(&snapshot, &mut input_errors)?;
            let net = &loaded.network;
            let engine = Engine::new(net);
            let ids: Vec<SubnetId> = if subnet.is_empty() {
                net.subnets.keys().cloned().collect()
            } else {
                let mut v = Vec::new();
                for s in &subnet {
                    let id = SubnetId::new(s.as_str());
                    if !net.subnets.contains_key(&id) {
                        anyhow::bail!(
                            "{s} is not in the snapshot {}; `vpcsim reach --snapshot {}` lists every subnet",
                            snapshot.display(),
                            snapshot.display()
                        );
                    }
                    v.push(id);
                }
                v
            };
            // Streamed: each batch of subnets is computed, written and dropped.
            let stream = engine.reach_stream(net, ids);
            let stdout = std::io::stdout().lock();
            let out = std::io::BufWriter::new(stdout);
            let written = match format {
                Format::Json => report::write_reach_json(out, stream, &loaded.diagnostics),
                Format::Text => {
                    eprint!("{}", report::diagnostics_text(&loaded.diagnostics));
                    if net.subnets.is_empty() {
                        eprintln!(
                            "note: {} describes no subnets ({} VPCs, {} route tables): nothing to report; add describe-subnets output",
                            snapshot.display(),
                            net.vpcs.len(),
                            net.route_tables.len()
                        );
                    }
                    report::write_reach_text(out, stream, style)
                }
            };
            release(engine);
            release(loaded);
            match written {
                // A closed pipe (`vpcsim reach ... | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write the output"),
            }?;
            partial_input(input_errors)?;
            Ok(false)
        }
        Command::Replay {
            snapshot,
            until,
            strict,
            route_limit,
            no_exposure,
            min_severity,
            burst_writes,
            burst_window,
            quota_warn,
            events,
            format,
        } => {
            let until = parse_time("--until", until.as_deref())?;
            let (mut net, diagnostics) = match &snapshot {
                Some(p) => {
                    let loaded = load(p, &mut input_errors)?;
                    (loaded.network, loaded.diagnostics)
                }
                None => (vpcsim::model::Network::default(), Vec::new()),
            };
            let read = read_events(&events);
            let files_read = read.files.len();
            let files_skipped = read.skipped.len();
            let errors = read.errors.clone();
            let opts = vpcsim::replay::ReplayOptions {
                strict,
                until,
                apply: vpcsim::model::ApplyOptions {
                    route_limit,
                    ..Default::default()
                },
                exposure: !no_exposure,
                findings: vpcsim::replay::findings::FindingOptions {
                    burst_writes,
                    burst_window_secs: i64::from(burst_window),
                    quota_warn_percent: quota_warn,
                },
            };
            let replayed = replay_shown(&mut net, read, &opts);
            let files = report::replay::Files {
                read: files_read,
                skipped: files_skipped,
                errors: &errors,
            };
            let min: vpcsim::exposure::Severity = min_severity.into();
            let (rows, found) = report::changes::rows_of_replay(&replayed, min);
            let first_file = events
                .first()
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            match format {
                ChangeFormat::Jsonl => emit(&report::changes::jsonl(&rows, &found))?,
                ChangeFormat::Markdown => emit(&report::changes::markdown(
                    "vpcsim replay",
                    &report::replay::summary_line(&replayed, min),
                    &rows,
                    &found,
                ))?,
                ChangeFormat::Sarif => emit(&report::changes::sarif(
                    &report::changes::without_net(rows),
                    &found,
                    &first_file,
                ))?,
                ChangeFormat::Json => emit(&report::replay::replay_json(
                    &replayed,
                    &files,
                    &diagnostics,
                    min_severity.into(),
                ))?,
                ChangeFormat::Text => {
                    eprint!("{}", report::diagnostics_text(&diagnostics));
                    emit(&report::replay::replay_text(
                        &replayed,
                        &files,
                        style,
                        min_severity.into(),
                    ))?
                }
            }
            release(net);
            if !errors.is_empty() || replayed.summary.malformed > 0 {
                return Err(anyhow::anyhow!(
                    "some input could not be read ({} unreadable file(s), {} malformed record(s)); everything readable was replayed",
                    errors.len(),
                    replayed.summary.malformed
                ));
            }
            partial_input(input_errors)?;
            let min = min_severity.into();
            Ok(replayed.new_exposure(min) > 0
                || replayed.findings.iter().any(|f| f.severity.at_least(min)))
        }
        Command::Whatif {
            snapshot,
            commands,
            route_limit,
            min_severity,
            format,
            events,
            cli,
        } => {
            use vpcsim::whatif;
            let loaded = load(&snapshot, &mut input_errors)?;
            let (mut net, diagnostics) = (loaded.network, loaded.diagnostics);
            let mut steps: Vec<whatif::Step> = Vec::new();
            let mut file_errors = Vec::new();
            if !events.is_empty() {
                let mut read = read_events(&events);
                file_errors = read.errors.clone();
                read.records.sort_by(|a, b| {
                    (
                        a.time.is_none(),
                        a.time,
                        &a.file,
                        a.position.line,
                        a.position.index(),
                    )
                        .cmp(&(
                            b.time.is_none(),
                            b.time,
                            &b.file,
                            b.position.line,
                            b.position.index(),
                        ))
                });
                for r in read.records {
                    let n = steps.len() + 1;
                    let text = format!("{} ({})", r.event_name, r.location());
                    steps.push(whatif::place(r, n, text));
                }
            }
            let mut planned: Vec<(String, Vec<String>)> = Vec::new();
            let mut errors = Vec::new();
            if let Some(path) = &commands {
                let text = std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the plan {}; give a text file with one aws ec2 command per line", path.display())
                })?;
                let (c, e) = whatif::commands_from_text(&text, &path.display().to_string());
                planned.extend(c);
                errors.extend(e);
            }
            for (k, words) in cli
                .split(|w| w == ";")
                .filter(|w| !w.is_empty())
                .enumerate()
            {
                planned.push((format!("command {}", k + 1), words.to_vec()));
            }
            if steps.is_empty() && planned.is_empty() && errors.is_empty() {
                anyhow::bail!(
                    "no planned change: give CloudTrail records, --commands FILE, or a command after --, e.g. `vpcsim whatif --snapshot {} -- aws ec2 delete-route --route-table-id rtb-... --destination-cidr-block 0.0.0.0/0`",
                    snapshot.display()
                );
            }
            let (more, e) = whatif::steps_from_commands(&planned, steps.len() + 1);
            steps.extend(more);
            errors.extend(e);
            let inputs: std::collections::BTreeMap<String, String> = steps
                .iter()
                .filter_map(|s| s.record.event_id.clone().map(|id| (id, s.text.clone())))
                .collect();
            let read = vpcsim::cloudtrail::ReadResult {
                records: steps.into_iter().map(|s| s.record).collect(),
                ..Default::default()
            };
            let opts = vpcsim::replay::ReplayOptions {
                strict: true,
                until: None,
                apply: vpcsim::model::ApplyOptions {
                    route_limit,
                    ..Default::default()
                },
                exposure: true,
                findings: vpcsim::replay::findings::FindingOptions {
                    burst_writes: 0,
                    ..Default::default()
                },
            };
            let replayed = replay_shown(&mut net, read, &opts);
            let plan = report::whatif::Plan {
                inputs: &inputs,
                errors: &errors,
            };
            let min = min_severity.into();
            let rows = report::changes::rows_of_whatif(&replayed, &inputs, min);
            let findings: Vec<&vpcsim::replay::findings::Finding> = replayed
                .findings
                .iter()
                .filter(|f| f.severity.at_least(min))
                .collect();
            match format {
                ChangeFormat::Jsonl => emit(&report::changes::jsonl(&rows, &findings))?,
                ChangeFormat::Markdown => emit(&report::changes::markdown(
                    "vpcsim whatif",
                    &report::whatif::summary_line(&replayed, &plan, min),
                    &rows,
                    &findings,
                ))?,
                ChangeFormat::Sarif => emit(&report::changes::sarif(
                    &report::changes::without_net(rows),
                    &findings,
                    &commands.as_ref().unwrap_or(&snapshot).display().to_string(),
                ))?,
                ChangeFormat::Json => emit(&report::whatif::whatif_json(
                    &replayed,
                    &plan,
                    &diagnostics,
                    min,
                ))?,
                ChangeFormat::Text => {
                    eprint!("{}", report::diagnostics_text(&diagnostics));
                    emit(&report::whatif::whatif_text(&replayed, &plan, style, min))?
                }
            }
            release(net);
            for f in &file_errors {
                eprintln!("error: {f}");
            }
            if !errors.is_empty() || !file_errors.is_empty() || replayed.summary.malformed > 0 {
                anyhow::bail!(
                    "{} planned command(s), {} file(s) and {} record(s) could not be read; everything readable was evaluated",
                    errors.len(),
                    file_errors.len(),
                    replayed.summary.malformed
                );
            }
            partial_input(input_errors)?;
            Ok(replayed.new_exposure(min) > 0 || !findings.is_empty())
        }
        Command::Diff {
            before,
            after,
            snapshot,
            from,
            to,
            strict,
            min_severity,
            format,
            events,
        } => {
            let min = min_severity.into();
            let (a, b, what_a, what_b, diagnostics) = match (before, after) {
                (Some(bp), Some(ap)) => {
                    if !events.is_empty() {
                        anyhow::bail!(
                            "--before/--after compare two snapshots; EVENTS go with --snapshot, --from and --to"
                        );
                    }
                    let lb = load(&bp, &mut input_errors)?;
                    let la = load(&ap, &mut input_errors)?;
                    let mut d = lb.diagnostics;
                    d.extend(la.diagnostics);
                    (
                        lb.network,
                        la.network,
                        bp.display().to_string(),
                        ap.display().to_string(),
                        d,
                    )
                }
                _ => {
                    if events.is_empty() {
                        anyhow::bail!(
                            "nothing to compare: give --before A --after B (two snapshots), or --snapshot PATH EVENTS... [--from TIME] [--to TIME]"
                        );
                    }
                    let (from, to) = (
                        parse_time("--from", from.as_deref())?,
                        parse_time("--to", to.as_deref())?,
                    );
                    if let (Some(f), Some(t)) = (from, to)
                        && f > t
                    {
                        anyhow::bail!("--from is later than --to; give the earlier time first");
                    }
                    let (start, d) = match &snapshot {
                        Some(p) => {
                            let l = load(p, &mut input_errors)?;
                            (l.network, l.diagnostics)
                        }
                        None => (vpcsim::model::Network::default(), Vec::new()),
                    };
                    let read = read_events(&events);
                    let errors = read.errors.clone();
                    let opts = |until| vpcsim::replay::ReplayOptions {
                        strict,
                        until,
                        ..Default::default()
                    };
                    let mut a = start.clone();
                    let mut malformed = 0;
                    if from.is_some() {
                        malformed += replay_shown(&mut a, read.clone(), &opts(from))
                            .summary
                            .malformed;
                    }
                    let mut b = start;
                    malformed += replay_shown(&mut b, read, &opts(to)).summary.malformed;
                    for e in &errors {
                        eprintln!("error: {e}");
                    }
                    if !errors.is_empty() || malformed > 0 {
                        input_errors += errors.len() + malformed;
                        eprintln!(
                            "error: {} unreadable file(s), {malformed} malformed record(s) (see `vpcsim replay` for each); the rest was compared",
                            errors.len()
                        );
                    }
                    let origin = snapshot
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "nothing".into());
                    (
                        a,
                        b,
                        match &from {
                            Some(f) => format!("{origin} replayed to {f}"),
                            None => origin.clone(),
                        },
                        match &to {
                            Some(t) => format!("{origin} replayed to {t}"),
                            None => format!("{origin} replayed to the end of the trail"),
                        },
                        d,
                    )
                }
            };
            let changes = vpcsim::exposure::diff_networks(&a, &b);
            let what = report::diff::Compared {
                before: &what_a,
                after: &what_b,
            };
            let rows = report::changes::rows_of_diff(&changes, min);
            match format {
                ChangeFormat::Jsonl => emit(&report::changes::jsonl(&rows, &[]))?,
                ChangeFormat::Markdown => emit(&report::changes::markdown(
                    &format!("vpcsim diff: {what_a} -> {what_b}"),
                    &report::diff::summary_line(&changes, min),
                    &rows,
                    &[],
                ))?,
                ChangeFormat::Sarif => emit(&report::changes::sarif(&rows, &[], &what_b))?,
                ChangeFormat::Json => {
                    emit(&report::diff::diff_json(&changes, &what, &diagnostics, min))?
                }
                ChangeFormat::Text => {
                    eprint!("{}", report::diagnostics_text(&diagnostics));
                    emit(&report::diff::diff_text(&changes, &what, style, min))?
                }
            }
            if input_errors > 0 {
                anyhow::bail!(
                    "some input could not be read (see the errors above); the rest was compared"
                );
            }
            Ok(report::diff::new_exposure(&changes, min) > 0)
        }
        Command::Blame {
            snapshot,
            subnet,
            to,
            strict,
            format,
            events,
        } => {
            let address: Option<std::net::IpAddr> = match &to {
                None => None,
                Some(t) => Some(t.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "--to {t} is not an IP address; give one such as 8.8.8.8 or 2001:db8::1"
                    )
                })?),
            };
            let mut net = match &snapshot {
                Some(p) => load(p, &mut input_errors)?.network,
                None => vpcsim::model::Network::default(),
            };
            let read = read_events(&events);
            let errors = read.errors.clone();
            let opts = vpcsim::replay::ReplayOptions {
                strict,
                exposure: true,
                ..Default::default()
            };
            let replayed = replay_shown(&mut net, read, &opts);
            let id = SubnetId::new(subnet.as_str());
            let Some(blamed) = vpcsim::replay::blame::blame(&replayed, &net, &id, address) else {
                anyhow::bail!(
                    "{subnet} is not in the state the trail leads to; `vpcsim reach --snapshot ...` lists the subnets"
                );
            };
            match format {
                Format::Json => emit(&report::blame::blame_json(&subnet, to.as_deref(), &blamed))?,
                Format::Text => {
                    let at = match &to {
                        Some(t) => format!("to {t}, at the end of the trail"),
                        None => "at the end of the trail".to_string(),
                    };
                    emit(&report::blame::blame_text(&subnet, &at, &blamed, style))?
                }
            }
            for e in &errors {
                eprintln!("error: {e}");
            }
            if !errors.is_empty() || replayed.summary.malformed > 0 {
                anyhow::bail!(
                    "some input could not be read ({} unreadable file(s), {} malformed record(s); `vpcsim replay` lists them); everything readable was replayed",
                    errors.len(),
                    replayed.summary.malformed
                );
            }
            partial_input(input_errors)?;
            Ok(false)
        }
        Command::Generate {
            seed,
            out,
            accounts,
            vpcs,
            days,
            events_per_day,
            attack_rate,
            noise_rate,
        } => {
            let opts = vpcsim::generate::Options {
                seed,
                accounts,
                vpcs,
                days,
                events_per_day,
                attack_rate,
                noise_rate,
            };
            let tty = std::io::stderr().is_terminal();
            let summary = vpcsim::generate::generate(&opts, &out, &mut |done, all| {
                if tty {
                    eprint!("\r\x1b[2Kgenerating: day {done} of {all}");
                }
            })
            .map_err(anyhow::Error::msg)?;
            if tty {
                eprint!("\r\x1b[2K");
            }
            emit(&format!(
                "wrote {}: snapshot/ ({} files), AWSLogs/ ({} files, {} records: {} route-family of which {} failed, {} unrelated), truth.jsonl ({} episodes; {} left out because an earlier episode had removed what they needed)\n",
                out.display(),
                summary.snapshot_files,
                summary.trail_files,
                summary.records,
                summary.route_family,
                summary.failed,
                summary.noise,
                summary.episodes,
                summary.episodes_dropped
            ))?;
            Ok(false)
        }
        Command::Test {
            paths,
            verbose,
            format,
        } => {
            // Paths without a scenario are reported like scenarios that cannot run, so that
            // the JUnit or JSON report CI keeps still says what happened.
            let (dirs, missing) = vpcsim::scenario::discover_all(&paths);
            let mut runs = Vec::new();
            for e in missing {
                runs.push((e.path.clone(), e.path.clone(), Err(e)));
            }
            for d in &dirs {
                let r = vpcsim::scenario::load(d).and_then(|s| {
                    let o = vpcsim::scenario::run::run(&s)?;
                    Ok((s, o))
                });
                let name = match &r {
                    Ok((s, _)) => s.name.clone(),
                    Err(_) => d
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| d.display().to_string()),
                };
                runs.push((d.display().to_string(), name, r));
            }
            let tested: Vec<report::scenario::Tested> = runs
                .iter()
                .map(|(path, name, r)| report::scenario::Tested {
                    path: path.clone(),
                    name: name.clone(),
                    result: r.as_ref().map(|(s, o)| (s, o)),
                })
                .collect();
            emit(&match format {
                TestFormat::Text => report::scenario::test_text(&tested, style, verbose),
                TestFormat::Json => report::scenario::test_json(&tested),
                TestFormat::Junit => report::scenario::test_junit(&tested),
            })?;
            let (_, failed, errors) = report::scenario::counts(&tested);
            if errors > 0 {
                anyhow::bail!(
                    "{errors} scenario(s) could not run; the reasons are listed above, each with its file and line"
                );
            }
            Ok(failed > 0)
        }
        Command::Graph {
            snapshot,
            at,
            strict,
            format,
            events,
        } => {
            let until = parse_time("--at", at.as_deref())?;
            let loaded = load(&snapshot, &mut input_errors)?;
            eprint!("{}", report::diagnostics_text(&loaded.diagnostics));
            let mut net = loaded.network;
            if !events.is_empty() {
                let read = read_events(&events);
                let errors = read.errors.clone();
                let opts = vpcsim::replay::ReplayOptions {
                    strict,
                    until,
                    ..Default::default()
                };
                let replayed = replay_shown(&mut net, read, &opts);
                for e in &errors {
                    eprintln!("error: {e}");
                }
                input_errors += errors.len() + replayed.summary.malformed;
            } else if until.is_some() {
                anyhow::bail!("--at needs EVENTS: the trail to replay up to that time");
            }
            emit(&match format {
                GraphFormat::Dot => report::graph::dot(&net),
                GraphFormat::Mermaid => report::graph::mermaid(&net),
            })?;
            if input_errors > 0 {
                anyhow::bail!(
                    "{input_errors} input error(s) (see above); the picture uses everything readable"
                );
            }
            Ok(false)
        }
        Command::State {
            snapshot,
            at,
            strict,
            out,
            events,
        } => {
            if out.is_file()
                || (out.is_dir()
                    && std::fs::read_dir(&out)
                        .map(|mut d| d.next().is_some())
                        .unwrap_or(true))
            {
                anyhow::bail!(
                    "--out {} is not an empty directory; give a new or empty one (its *.json files would be read back with the state)",
                    out.display()
                );
            }
            let until = parse_time("--at", at.as_deref())?;
            let mut net = match &snapshot {
                Some(p) => load(p, &mut input_errors)?.network,
                None => vpcsim::model::Network::default(),
            };
            let read = read_events(&events);
            let errors = read.errors.clone();
            let opts = vpcsim::replay::ReplayOptions {
                strict,
                until,
                ..Default::default()
            };
            let replayed = replay_shown(&mut net, read, &opts);
            let s = &replayed.summary;
            eprintln!(
                "replayed {} records: {} applied{}, {} failed_in_aws, {} diverged, {} duplicate, {} ignored, {} unsupported, {} malformed, {} after --at",
                s.records,
                s.applied,
                report::replay::inferred_note(s),
                s.failed_in_aws,
                s.diverged,
                s.duplicate,
                s.ignored,
                s.unsupported,
                s.malformed,
                s.after_until
            );
            for e in &errors {
                eprintln!("unreadable: {e}");
            }
            let written = vpcsim::snapshot::export::write_dir(&net, &out)
                .with_context(|| format!("cannot write the state into {}", out.display()))?;
            let mut list = String::new();
            for p in written {
                list.push_str(&format!("{}\n", p.display()));
            }
            emit(&list)?;
            if !errors.is_empty() || s.malformed > 0 {
                anyhow::bail!(
                    "some input could not be read ({} unreadable file(s), {} malformed record(s)); the state reflects everything readable",
                    errors.len(),
                    s.malformed
                );
            }
            partial_input(input_errors)?;
            Ok(false)
        }
        Command::Trace {
            snapshot,
            from,
            to,
            format,
        } => {
            let dest: IpAddr = to
                .trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--to {to} is not an IPv4 or IPv6 address (give one address, such as 8.8.8.8, not a CIDR)"))?;
            let loaded = load(&snapshot, &mut input_errors)?;
            let engine = Engine::new(&loaded.network);
            let t = engine.trace(&loaded.network, &from, dest)?;
            match format {
                Format::Json => emit(&report::trace_json(&t, &loaded.diagnostics)),
                Format::Text => {
                    eprint!("{}", report::diagnostics_text(&loaded.diagnostics));
                    emit(&report::trace_text(&t, style))
                }
            }?;
            partial_input(input_errors)?;
            Ok(false)
        }
    }
}
