using System.Text.Json;
using KoderId.Application.Credentials.Commands;
using KoderId.Domain;
using Mediator;

namespace KoderId.Application.Flows;

/// <summary>
/// The <c>password</c> step: <c>{"password": "..."}</c> checked by <see cref="VerifyPassword"/>, which costs one
/// Argon2id verification whatever the outcome (a dummy hash for a user it cannot find), so the decoy flow of an
/// unknown name takes as long as a real one. Offered to every named flow so its presence reveals nothing.
/// </summary>
public sealed class PasswordFactor(ISender sender) : IAuthenticationFactor
{
    public const string Name = "password";

    /// <summary>The longest password the step reads (the tenant policy's ceiling).</summary>
    public const int MaxPasswordLength = 1024;

    public string Step => Name;

    public FactorKind Kind => FactorKind.Knowledge;

    public ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct) => ValueTask.FromResult(userId is not null);

    public ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct) => ValueTask.FromResult(FactorChallenge.None);

    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (input.ValueKind != JsonValueKind.Object
            || !input.TryGetProperty("password", out var value)
            || value.ValueKind != JsonValueKind.String
            || input.EnumerateObject().Count() != 1)
        {
            throw new DomainException(DomainErrors.FlowMalformedAnswer, "The password step takes {\"password\": string} and nothing else.");
        }

        var password = value.GetString()!;
        if (password.Length is 0 or > MaxPasswordLength)
        {
            throw new DomainException(DomainErrors.FlowMalformedAnswer, $"The password is 1 to {MaxPasswordLength} characters.");
        }

        // An empty user id makes VerifyPassword check a dummy hash: the same work as a real user's.
        var check = await sender.Send(new VerifyPassword(context.TenantId, context.UserId ?? "", password), ct).ConfigureAwait(false);
        return check.Succeeded && context.UserId is not null
            ? new FactorOutcome(true, context.UserId, ["pwd"], FactorKind.Knowledge)
            : FactorOutcome.Failed;
    }
}
