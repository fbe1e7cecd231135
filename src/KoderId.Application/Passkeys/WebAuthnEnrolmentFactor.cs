using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Application.Mfa;
using KoderId.Application.Passkeys.WebAuthn;
using KoderId.Domain;
using Mediator;

namespace KoderId.Application.Passkeys;

/// <summary>
/// The <c>webauthn-enrolment</c> step (ADR 0006): the passkey alternative to <c>totp-enrolment</c> during sign-in, the
/// account page's ceremony run inside the flow. Its challenge is <see cref="BeginPasskeyRegistration"/>'s creation options
/// (challenge bound to the user in the transient store, and kept in the flow so another flow's response is refused);
/// the answer <c>{"credential": PublicKeyCredential.toJSON()}</c> goes to <see cref="RegisterPasskey"/>. Registering a
/// passkey proves nothing the password did not, so the step is possession (<c>hwk</c>), as enrolling a TOTP is. Ten
/// recovery codes come with it when the user has no unused ones. A refused response is a failed step; a malformed one
/// is the WebAuthn 400.
/// </summary>
public sealed class WebAuthnEnrolmentFactor(AggregateStore aggregates, ISender sender) : IAuthenticationFactor
{
    public const string StepName = "webauthn-enrolment";

    public string Step => StepName;

    public FactorKind Kind => FactorKind.Possession;

    public async ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct)
    {
        if (userId is null)
        {
            return false;
        }

        try
        {
            await aggregates.RequireActiveUserAsync(tenantId, userId, ct).ConfigureAwait(false);
            return true;
        }
        catch (DomainException)
        {
            return false;
        }
    }

    public async ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.UserId is null)
        {
            throw FlowException.StepNotOffered();
        }

        var options = await sender.Send(new BeginPasskeyRegistration(context.TenantId, context.UserId, await RelyingPartyAsync(context, ct).ConfigureAwait(false)), ct).ConfigureAwait(false);
        var challenge = options["challenge"]!.GetValue<string>();
        return new FactorChallenge(new JsonObject { ["publicKey"] = options }, challenge);
    }

    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("credential", out var credential) || input.EnumerateObject().Count() != 1)
        {
            throw new DomainException(DomainErrors.WebAuthnMalformed, "The body is {\"credential\": PublicKeyCredential.toJSON()} and nothing else.");
        }

        var answered = WebAuthnVerifier.ReadChallenge(credential);
        if (context.State is null)
        {
            throw new DomainException(DomainErrors.MfaEnrolmentNotStarted, "Ask for the enrolment's challenge (the creation options) before answering it.");
        }

        if (context.UserId is null || !Base64UrlBytes.TryDecode(context.State, out var issued) || !CryptographicOperations.FixedTimeEquals(issued, answered))
        {
            return FactorOutcome.Failed;
        }

        try
        {
            await sender.Send(new RegisterPasskey(context.TenantId, context.UserId, await RelyingPartyAsync(context, ct).ConfigureAwait(false), credential, null), ct).ConfigureAwait(false);
        }
        catch (DomainException ex) when (!WebAuthnRefusals.IsMalformed(ex))
        {
            return FactorOutcome.Failed;
        }

        var mfa = await aggregates.LoadMfaAsync(context.TenantId, context.UserId, ct).ConfigureAwait(false);
        var codes = mfa.RecoveryCodesRemaining == 0
            ? (await sender.Send(new GenerateRecoveryCodes(context.TenantId, context.UserId), ct).ConfigureAwait(false)).Codes
            : null;
        return new FactorOutcome(true, context.UserId, ["hwk"], FactorKind.Possession, codes);
    }

    private async Task<RelyingParty> RelyingPartyAsync(FactorContext context, CancellationToken ct)
    {
        var tenant = await aggregates.RequireActiveTenantAsync(context.TenantId, ct).ConfigureAwait(false);
        return RelyingParty.ForOrigin(context.Origin, tenant.Name);
    }
}
