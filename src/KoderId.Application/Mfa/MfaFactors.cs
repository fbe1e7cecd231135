using System.Text.Json;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Domain;
using Mediator;

namespace KoderId.Application.Mfa;

/// <summary>
/// The <c>totp</c> step of a flow: <c>{"code": "123456"}</c>. Possession (RFC 8176 <c>otp</c>). Available to a user
/// with a confirmed TOTP. A success spends the code's time step (<see cref="VerifyTotp"/>), so a replay fails.
/// </summary>
public sealed class TotpFactor(AggregateStore aggregates, ISender sender) : IAuthenticationFactor
{
    public const string StepName = "totp";

    public string Step => StepName;

    public FactorKind Kind => FactorKind.Possession;

    public async ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct)
    {
        var mfa = await MfaFactorInput.TryLoadAsync(aggregates, tenantId, userId, ct).ConfigureAwait(false);
        return mfa is { Secret: { } secret } && Domain.Mfa.UserMfa.IsValidSecret(secret);
    }

    public ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct) => ValueTask.FromResult(FactorChallenge.None);

    /// <summary>KID1326 for a body that is not <c>{"code": "..."}</c> with 6 digits; <see cref="FactorOutcome.Failed"/> for a wrong or replayed code.</summary>
    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = TotpCodes.Normalize(MfaFactorInput.Code(input, DomainErrors.TotpMalformedCode));
        if (context.UserId is null)
        {
            return FactorOutcome.Failed;
        }

        return await sender.Send(new VerifyTotp(context.TenantId, context.UserId, code), ct).ConfigureAwait(false)
            ? new FactorOutcome(true, context.UserId, ["otp"], FactorKind.Possession)
            : FactorOutcome.Failed;
    }
}

/// <summary>
/// The <c>recovery-code</c> step: <c>{"code": "abcd-efgh-..."}</c>. Possession, and RFC 8176 has no value for a
/// recovery code, so it reports <c>otp</c> (it is a one-time password the user holds); a relying party that must
/// tell them apart can read the audit log (<c>mfa.recovery-code-used.v1</c>). Available while an unused code remains.
/// </summary>
public sealed class RecoveryCodeFactor(AggregateStore aggregates, ISender sender) : IAuthenticationFactor
{
    public const string StepName = "recovery-code";

    public string Step => StepName;

    public FactorKind Kind => FactorKind.Possession;

    public async ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct)
    {
        var mfa = await MfaFactorInput.TryLoadAsync(aggregates, tenantId, userId, ct).ConfigureAwait(false);
        return mfa is { RecoveryCodesRemaining: > 0 };
    }

    public ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct) => ValueTask.FromResult(FactorChallenge.None);

    /// <summary>KID1327 for a body that is not <c>{"code": "..."}</c> with a well-formed code; <see cref="FactorOutcome.Failed"/> for a wrong or spent one.</summary>
    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = RecoveryCodes.Normalize(MfaFactorInput.Code(input, DomainErrors.RecoveryCodeMalformed));
        if (context.UserId is null)
        {
            return FactorOutcome.Failed;
        }

        return await sender.Send(new UseRecoveryCode(context.TenantId, context.UserId, code), ct).ConfigureAwait(false)
            ? new FactorOutcome(true, context.UserId, ["otp"], FactorKind.Possession)
            : FactorOutcome.Failed;
    }
}

internal static class MfaFactorInput
{
    /// <summary>The <c>code</c> of a <c>{"code": "..."}</c> body (no other member, at most 64 characters), or <paramref name="malformedCode"/>.</summary>
    public static string Code(JsonElement input, string malformedCode)
    {
        if (input.ValueKind == JsonValueKind.Object)
        {
            string? code = null;
            var members = 0;
            foreach (var member in input.EnumerateObject())
            {
                members++;
                if (member.NameEquals("code") && member.Value.ValueKind == JsonValueKind.String)
                {
                    code = member.Value.GetString();
                }
            }

            if (members == 1 && code is { Length: <= 64 })
            {
                return code;
            }
        }

        throw new DomainException(malformedCode, """The body is {"code": "..."} and nothing else.""");
    }

    /// <summary>The user's MFA state, or null when the tenant or user cannot sign in (an unknown user is never an error here).</summary>
    public static async Task<Domain.Mfa.UserMfaState?> TryLoadAsync(AggregateStore aggregates, string tenantId, string? userId, CancellationToken ct)
    {
        if (userId is null)
        {
            return null;
        }

        try
        {
            await aggregates.RequireActiveUserAsync(tenantId, userId, ct).ConfigureAwait(false);
            return await aggregates.LoadMfaAsync(tenantId, userId, ct).ConfigureAwait(false);
        }
        catch (DomainException)
        {
            return null;
        }
    }
}
