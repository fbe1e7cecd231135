using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Domain;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>
/// The <c>totp-enrolment</c> step (ADR 0006): offered after the first factor when the tenant requires MFA and the user
/// has no second factor. Its challenge gives a fresh secret, the <c>otpauth://</c> URI and its QR code (as
/// <c>POST /v1/users/me/mfa/totp</c> does); the secret stays sealed in the flow, out of the log, and asking again shows
/// the same one. The answer <c>{"code"}</c> enrols it (<see cref="EnrolTotp"/>, one append) and is the second factor
/// (<c>otp</c>); the new recovery codes travel back once in the outcome. A wrong code is a failed step.
/// </summary>
public sealed class TotpEnrolmentFactor(AggregateStore aggregates, ISender sender, IFlowSecrets? secrets = null) : IAuthenticationFactor
{
    public const string StepName = "totp-enrolment";

    public string Step => StepName;

    public FactorKind Kind => FactorKind.Possession;

    /// <summary>A user who can sign in and has no confirmed TOTP (a pending one from the account page is replaced); never in a host without <see cref="IFlowSecrets"/>.</summary>
    public async ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct) =>
        secrets is not null && await MfaFactorInput.TryLoadAsync(aggregates, tenantId, userId, ct).ConfigureAwait(false) is { TotpEnrolled: false };

    public async ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.UserId is null || secrets is null)
        {
            // The engine offers the step only once a first factor named the user, and only in a host that can seal.
            throw FlowException.StepNotOffered();
        }

        var tenant = await aggregates.RequireActiveTenantAsync(context.TenantId, ct).ConfigureAwait(false);
        var user = await aggregates.RequireActiveUserAsync(context.TenantId, context.UserId, ct).ConfigureAwait(false);
        var secret = Unseal(context) ?? TotpCodes.NewSecret();
        var uri = TotpCodes.OtpAuthUri(tenant.Name, user.Username, secret);
        var shown = new JsonObject
        {
            ["secret"] = secret,
            ["otpauthUri"] = uri,
            ["qrPng"] = "data:image/png;base64," + Convert.ToBase64String(TotpQrCode.Png(uri)),
            ["qrSvg"] = TotpQrCode.Svg(uri),
        };
        return new FactorChallenge(shown, secrets.Seal(JsonSerializer.SerializeToUtf8Bytes(new Sealed(context.TenantId, context.UserId, context.FlowId, secret))));
    }

    /// <summary>
    /// KID1326 for a body that is not <c>{"code": "6 digits"}</c>; KID1330 when the challenge was not asked for;
    /// <see cref="FactorOutcome.Failed"/> for a code that does not match; KID1321 when a TOTP was enrolled meanwhile.
    /// </summary>
    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = TotpCodes.Normalize(MfaFactorInput.Code(input, DomainErrors.TotpMalformedCode));
        if (context.State is null)
        {
            throw new DomainException(DomainErrors.MfaEnrolmentNotStarted, "Ask for the enrolment's challenge (the secret and QR code) before answering it.");
        }

        if (context.UserId is null || Unseal(context) is not { } secret)
        {
            return FactorOutcome.Failed;
        }

        EnrolledTotp enrolled;
        try
        {
            enrolled = await sender.Send(new EnrolTotp(context.TenantId, context.UserId, secret, code), ct).ConfigureAwait(false);
        }
        catch (DomainException ex) when (ex.Code == DomainErrors.TotpInvalidCode)
        {
            return FactorOutcome.Failed;
        }

        return new FactorOutcome(true, context.UserId, ["otp"], FactorKind.Possession, enrolled.RecoveryCodes?.Codes);
    }

    /// <summary>The secret this flow's challenge sealed for this user, or null.</summary>
    private string? Unseal(FactorContext context)
    {
        if (context.State is null || secrets?.Unseal(context.State) is not { } bytes)
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize<Sealed>(bytes);
            return state is not null
                && string.Equals(state.TenantId, context.TenantId, StringComparison.Ordinal)
                && string.Equals(state.UserId, context.UserId, StringComparison.Ordinal)
                && string.Equals(state.FlowId, context.FlowId, StringComparison.Ordinal)
                && Domain.Mfa.UserMfa.IsValidSecret(state.Secret)
                ? state.Secret
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Sealed(string TenantId, string UserId, string FlowId, string Secret)
    {
        public override string ToString() => "Sealed { Secret = [redacted] }";
    }
}
