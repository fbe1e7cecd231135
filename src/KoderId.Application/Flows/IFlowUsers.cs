namespace KoderId.Application.Flows;

/// <summary>Port onto the users read model for the flow engine (the host supplies it).</summary>
public interface IFlowUsers
{
    /// <summary>The id of the active user with this username (or, failing that, this unique email); null otherwise.</summary>
    ValueTask<string?> FindActiveUserIdAsync(string tenantId, string usernameOrEmail, CancellationToken ct);
}
