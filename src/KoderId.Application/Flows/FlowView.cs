namespace KoderId.Application.Flows;

/// <summary>What a flow answer shows the client (ADR 0006): pending with the steps it offers, or completed with the session.</summary>
public sealed record FlowView(
    string Id,
    DateTimeOffset ExpiresAt,
    string Status,
    IReadOnlyList<string> Steps,
    IReadOnlyList<string> Completed,
    FlowSession? Session = null,
    IReadOnlyList<string>? Amr = null,
    string? UserId = null,
    IReadOnlyList<string>? RecoveryCodes = null)
{
    public const string Pending = "pending";
    public const string CompletedStatus = "completed";

    public bool IsCompleted => Status == CompletedStatus;

    // The session token and recovery codes are shown to the client once; they never reach a log line.
    public override string ToString() =>
        $"FlowView {{ Id = [redacted], Status = {Status}, Steps = [{string.Join(' ', Steps)}], Completed = [{string.Join(' ', Completed)}], Session = {Session}, RecoveryCodes = [{RecoveryCodes?.Count ?? 0} redacted] }}";
}

/// <param name="Token">The SSO cookie value <c>{sid}.{secret}</c>: shown this once, never stored or logged.</param>
public sealed record FlowSession(string Id, string Token, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"FlowSession {{ Id = {Id}, Token = [redacted], ExpiresAt = {ExpiresAt:O} }}";
}
