namespace KoderId.Migration.Zitadel.Import;

/// <summary>
/// What an import did (or, in a dry run, would do): per-kind counts, every org's outcome, every item left out
/// with its reason, every error with its JSON path, and the OAuth client credentials generated (shown once:
/// Zitadel exports no client id or secret). Never holds a password hash or an OTP seed.
/// </summary>
public sealed class ImportReport
{
    private readonly Lock _gate = new();

    public bool DryRun { get; init; }

    /// <summary>By kind (<c>tenants</c>, <c>users</c>, <c>clients</c> ...): how many were created (or would be) and how many existed already.</summary>
    public SortedDictionary<string, ImportCount> Counts { get; } = new(StringComparer.Ordinal);

    public List<OrgOutcome> Orgs { get; } = [];

    public List<SkippedItem> Skipped { get; } = [];

    public List<ImportError> Errors { get; } = [];

    public List<GeneratedClient> Clients { get; } = [];

    public bool Succeeded => Errors.Count == 0;

    internal void Created(string kind, int count = 1) => Count(kind, c => c.Created += count);

    internal void Existing(string kind, int count = 1) => Count(kind, c => c.Existing += count);

    internal void Skip(string kind, string path, string reason, string? id = null)
    {
        lock (_gate)
        {
            Skipped.Add(new SkippedItem(kind, path, reason, id));
            Counts.TryAdd(kind, new ImportCount());
            Counts[kind].Skipped++;
        }
    }

    internal void Fail(string path, string code, string reason)
    {
        lock (_gate)
        {
            Errors.Add(new ImportError(path, code, reason));
        }
    }

    internal void Client(GeneratedClient client)
    {
        lock (_gate)
        {
            Clients.Add(client);
        }
    }

    private void Count(string kind, Action<ImportCount> change)
    {
        lock (_gate)
        {
            if (!Counts.TryGetValue(kind, out var count))
            {
                Counts[kind] = count = new ImportCount();
            }

            change(count);
        }
    }
}

public sealed class ImportCount
{
    public int Created { get; set; }

    public int Existing { get; set; }

    public int Skipped { get; set; }
}

/// <param name="Status"><c>imported</c>, <c>would-import</c> (dry run), <c>failed</c> (nothing of it written) or <c>partial</c> (a write failed after validation).</param>
public sealed record OrgOutcome(string Path, string? OrgId, string? Name, string? TenantId, string Status);

public sealed record SkippedItem(string Kind, string Path, string Reason, string? Id = null);

public sealed record ImportError(string Path, string Code, string Reason);

/// <param name="Source"><c>oidc-app</c>, <c>api-app</c> or <c>machine-user</c>.</param>
/// <param name="ClientSecret">Shown this once; null for a public client, a <c>private_key_jwt</c> client (a machine user with keys) and a client that existed already.</param>
/// <param name="TokenEndpointAuthMethod">How the client authenticates: <c>private_key_jwt</c> for a machine user with keys (its Zitadel keys, with this client id as <c>iss</c> and <c>sub</c>).</param>
public sealed record GeneratedClient(string TenantId, string Source, string ZitadelId, string Name, string ClientId, string? ClientSecret, string? TokenEndpointAuthMethod = null)
{
    public override string ToString() => $"GeneratedClient {{ TenantId = {TenantId}, ClientId = {ClientId}, ClientSecret = [redacted] }}";
}

/// <summary>How far the import is, for a progress display.</summary>
public sealed record ImportProgress(int Org, int Orgs, string Phase, long Done, long Total);

/// <summary>Who runs the import, recorded on every event it appends (with the Zitadel id as the causation).</summary>
public sealed record ImportActor(string? Actor, string? ClientIp = null, string? UserAgent = null, string? CorrelationId = null);

/// <summary>The stable codes an import reports (docs/errors.md).</summary>
public static class ImportCodes
{
    /// <summary>A field is missing or of the wrong type, or the document is not a Zitadel export.</summary>
    public const string InvalidExport = "KID1421";

    /// <summary>A value Koder ID refuses (username, email, ...): the domain's own code is in the reason.</summary>
    public const string InvalidValue = "KID1422";

    /// <summary>Two items of one org claim the same id or username.</summary>
    public const string Duplicate = "KID1423";

    /// <summary>A password hash in a format Koder ID cannot verify (the hash itself is never reported).</summary>
    public const string UnsupportedHash = "KID1424";

    /// <summary>No tenant id is free for the org: every candidate is a tenant not imported from it.</summary>
    public const string TenantTaken = "KID1425";

    /// <summary>A write failed after the org was validated (the domain's own code is in the reason).</summary>
    public const string WriteFailed = "KID1426";

    /// <summary>A machine key's public key is not base64 of a PEM public key (the key material is never reported).</summary>
    public const string InvalidKey = "KID1427";

    /// <summary>An item names a user that is not one of the org's users of the kind it needs (a machine key's machine user).</summary>
    public const string UnknownUser = "KID1428";
}
