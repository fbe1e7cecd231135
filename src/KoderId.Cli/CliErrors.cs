namespace KoderId.Cli;

/// <summary>The stable KID4xxx codes of <c>koderid</c> (catalogued in docs/cli.md).</summary>
public static class CliErrors
{
    /// <summary>A bad option, argument or connection-string value; also unparsable command lines.</summary>
    public const string BadOption = "KID4001";

    /// <summary>The store cannot be reached, or the SQLite file does not exist.</summary>
    public const string StoreUnreachable = "KID4003";

    /// <summary>No projection of that name is registered.</summary>
    public const string UnknownProjection = "KID4004";

    /// <summary>The hash chain of the log is broken.</summary>
    public const string ChainBroken = "KID4005";

    /// <summary>The store refused or failed an operation (its own KID3xxx code is in the message).</summary>
    public const string StoreFailed = "KID4006";

    /// <summary>The command was cancelled (Ctrl+C) before it finished.</summary>
    public const string Cancelled = "KID4007";

    /// <summary>The server cannot be reached (refused, unresolvable, TLS failure, timeout).</summary>
    public const string ServerUnreachable = "KID4010";

    /// <summary>The server answered an error without a problem code (a proxy's page, an unexpected status).</summary>
    public const string ServerFailed = "KID4011";

    /// <summary><c>bootstrap</c>: the store already holds a live bootstrap key (use <c>--force</c> to replace it).</summary>
    public const string BootstrapKeyExists = "KID4012";

    /// <summary><c>bootstrap</c>: the store refused the default tenant or the key (its own KID1xxx code is in the message).</summary>
    public const string BootstrapRefused = "KID4013";

    /// <summary><c>users patch</c>: a <c>--set</c> pair or the <c>--json-body</c> is not a usable merge patch.</summary>
    public const string BadPatch = "KID4014";

    /// <summary><c>audit</c>: a time (<c>--from</c>, <c>--to</c>, the as-of instant) is not an RFC 3339 instant.</summary>
    public const string AuditBadTime = "KID4100";

    /// <summary><c>audit</c>: <c>--from</c> is after <c>--to</c>.</summary>
    public const string AuditEmptyRange = "KID4101";

    /// <summary><c>audit</c>: <c>--format</c> is not one of table, jsonl, csv, ecs.</summary>
    public const string AuditUnknownFormat = "KID4102";

    /// <summary><c>audit</c>: a <c>--type</c>, <c>--subject</c> or <c>--actor</c> filter is malformed.</summary>
    public const string AuditBadFilter = "KID4103";

    /// <summary><c>audit as-of</c>: the user did not exist in the tenant at that instant.</summary>
    public const string AuditUnknownUser = "KID4104";

    /// <summary><c>audit as-of</c>: the kind is not <c>user</c>.</summary>
    public const string AuditUnknownKind = "KID4105";

    /// <summary><c>audit replay</c> and <c>as-of</c> need <c>--tenant</c>.</summary>
    public const string AuditTenantRequired = "KID4106";

    /// <summary>Anything else: a bug. Reported in one line, without a stack trace.</summary>
    public const string Unexpected = "KID4099";
}

/// <summary>Process exit codes of <c>koderid</c>.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int ChainBroken = 3;
    public const int Cancelled = 130;
}

/// <summary>A failure the CLI reports as one <c>KID4xxx: message</c> line on stderr.</summary>
internal sealed class CliException(string code, string message, int exitCode = ExitCodes.Usage) : Exception(message)
{
    public string Code { get; } = code;

    public int ExitCode { get; } = exitCode;
}
