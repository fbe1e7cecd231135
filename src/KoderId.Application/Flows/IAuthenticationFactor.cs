using System.Text.Json;
using System.Text.Json.Nodes;

namespace KoderId.Application.Flows;

/// <summary>
/// One step of an authentication flow (<c>/v1/auth/flows/{id}/{step}</c>, ADR 0006): the password, a TOTP code,
/// a recovery code, a WebAuthn assertion, an email one-time code. The flow engine owns the flow's state, its
/// expiry, single use, lockout and throttling; a factor only says whether it applies to a user, issues its
/// challenge and checks an answer. Implementations are registered as <c>IAuthenticationFactor</c> singletons or
/// scoped services; the engine finds them by <see cref="Step"/>.
/// </summary>
public interface IAuthenticationFactor
{
    /// <summary>The URL segment and the name in the flow's <c>steps</c>: <c>password</c>, <c>totp</c>, <c>recovery-code</c>, <c>webauthn</c>, <c>email-otp</c>.</summary>
    string Step { get; }

    /// <summary>What the step proves, for the flow policy (ADR 0006).</summary>
    FactorKind Kind { get; }

    /// <summary>
    /// Whether <paramref name="userId"/> can use this step now (has a password, a confirmed TOTP, unused
    /// recovery codes, a passkey, a verified email). <paramref name="userId"/> is null in a username-less flow,
    /// where only a step that identifies the user itself (a discoverable passkey) applies.
    /// </summary>
    ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct);

    /// <summary>
    /// Begins the step when it needs a challenge (<c>POST /v1/auth/flows/{id}/{step}/challenge</c>): issue the
    /// WebAuthn options, send the email code. Returns what the client is shown and the state the engine keeps in
    /// the flow for <see cref="VerifyAsync"/> (hash or seal anything secret). Steps without a challenge return
    /// <see cref="FactorChallenge.None"/>.
    /// </summary>
    ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct);

    /// <summary>
    /// Checks the answer (<c>POST /v1/auth/flows/{id}/{step}</c> with <paramref name="input"/> the JSON body).
    /// A wrong answer is <see cref="FactorOutcome.Failed"/>, never an exception; a malformed body throws
    /// <see cref="KoderId.Domain.DomainException"/> with the factor's own 4xx code. Appends what the success
    /// consumes (a TOTP step, a recovery code, a sign counter) so a replay fails.
    /// </summary>
    ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct);
}

/// <summary>What a factor proves: <see cref="Knowledge"/> (password) and <see cref="Possession"/> (TOTP, recovery code, email code) are one factor each; <see cref="MultiFactor"/> (a user-verified passkey) is both.</summary>
public enum FactorKind
{
    Knowledge,
    Possession,
    MultiFactor,
}

/// <param name="UserId">The user the flow is for; null in a username-less flow until a step identifies one.</param>
/// <param name="State">What <see cref="IAuthenticationFactor.BeginAsync"/> asked the engine to keep; null when the step was not begun.</param>
/// <param name="Origin">The tenant's origin (<c>https://acme.koderid.example</c>) the browser talks to: WebAuthn checks it and derives the rpId.</param>
/// <param name="Name">The username or email the flow was started for (a decoy flow's too); null in a username-less flow.</param>
public sealed record FactorContext(string TenantId, string? UserId, string FlowId, string? State, string Origin, string? Name = null);

/// <param name="Public">What the client gets (WebAuthn request options, <c>{"sent": true}</c>).</param>
/// <param name="State">What the engine stores with the flow until the step is verified.</param>
public sealed record FactorChallenge(JsonObject? Public, string? State)
{
    public static FactorChallenge None { get; } = new(null, null);
}

/// <param name="UserId">The user the step proved: the flow's user, or the one a discoverable passkey names.</param>
/// <param name="Amr">RFC 8176 values the step adds to the session (<c>pwd</c>, <c>otp</c>, <c>hwk</c>, <c>user</c>, ...).</param>
/// <param name="Kind">What was proved; a passkey without user verification is <see cref="FactorKind.Possession"/> only.</param>
/// <param name="RecoveryCodes">Recovery codes an enrolment step generated, for the client to show once; null otherwise.</param>
public sealed record FactorOutcome(bool Succeeded, string? UserId, IReadOnlyList<string> Amr, FactorKind Kind, IReadOnlyList<string>? RecoveryCodes = null)
{
    public static FactorOutcome Failed { get; } = new(false, null, [], FactorKind.Knowledge);

    public override string ToString() =>
        $"FactorOutcome {{ Succeeded = {Succeeded}, UserId = {UserId}, Amr = [{string.Join(' ', Amr)}], Kind = {Kind}, RecoveryCodes = [{RecoveryCodes?.Count ?? 0} redacted] }}";
}
