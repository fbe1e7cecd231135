using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KoderId.Application.Common;
using KoderId.Application.Flows;
using KoderId.Application.Users;
using KoderId.Domain;
using KoderId.Domain.Users;
using KoderId.EventSourcing.Storage;

namespace KoderId.Application.Email;

/// <summary>
/// <c>email-otp</c> (ADR 0006): a first factor by email when the tenant allows it, for a user with a verified
/// address. <see cref="BeginAsync"/> mails a 6-digit code and a magic link; the flow keeps only their hashes,
/// sealed. <see cref="VerifyAsync"/> takes <c>{"code"}</c> or <c>{"token"}</c> (the magic-link page posts the
/// latter): at most <see cref="MaxAttempts"/> answers per flow, and a code or link works once.
/// </summary>
public sealed class EmailOtpFactor(AggregateStore aggregates, IEmailOrigins origins, EmailMailer mailer, IEmailLinkProtector protector, ITransientStore transient, IClock clock)
    : IAuthenticationFactor
{
    public const string StepName = "email-otp";
    public const int MaxAttempts = 5;
    public const string AttemptsKind = "email-otp-attempts";
    public const string UsedKind = "email-otp-used";

    // A flow lives 5 minutes (ADR 0006); the counters outlive it a little so they cannot reset while it is alive.
    private static readonly TimeSpan CounterLifetime = TimeSpan.FromMinutes(10);

    public string Step => StepName;

    public FactorKind Kind => FactorKind.Possession;

    public async ValueTask<bool> IsAvailableAsync(string tenantId, string? userId, CancellationToken ct) =>
        await AddressAsync(tenantId, userId, ct).ConfigureAwait(false) is not null;

    public async ValueTask<FactorChallenge> BeginAsync(FactorContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var token = EmailLinks.Base64Url(RandomNumberGenerator.GetBytes(32));
        var email = await AddressAsync(context.TenantId, context.UserId, ct).ConfigureAwait(false);

        // An unknown user or one without a verified address gets the same answer and a state nobody can match.
        var state = new OtpState(context.UserId ?? "", email is null ? "" : Hash(context.FlowId, code), email is null ? "" : Hash(context.FlowId, token));
        if (email is not null)
        {
            await mailer.SendLoginCodeAsync(context.TenantId, email, code, context.FlowId, token, ct).ConfigureAwait(false);
        }

        return new FactorChallenge(new JsonObject { ["sent"] = true }, protector.Protect(JsonSerializer.SerializeToUtf8Bytes(state)));
    }

    public async ValueTask<FactorOutcome> VerifyAsync(FactorContext context, JsonElement input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (code, token) = ReadInput(input);
        if (context.State is null || context.UserId is null || Unseal(context.State) is not { } state
            || !string.Equals(state.UserId, context.UserId, StringComparison.Ordinal) || state.CodeHash.Length == 0)
        {
            return FactorOutcome.Failed;
        }

        var attempts = await transient.IncrementAsync(context.TenantId, AttemptsKind, context.FlowId, clock.UtcNow.Add(CounterLifetime), ct).ConfigureAwait(false);
        if (attempts > MaxAttempts)
        {
            return FactorOutcome.Failed;
        }

        var expected = code is not null ? state.CodeHash : state.TokenHash;
        var given = Hash(context.FlowId, code ?? token!);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(given)))
        {
            return FactorOutcome.Failed;
        }

        // The user may have lost the address (or the tenant the factor) since the mail went out.
        if (await AddressAsync(context.TenantId, context.UserId, ct).ConfigureAwait(false) is null)
        {
            return FactorOutcome.Failed;
        }

        // Single use even if the engine were to keep the flow: the second answer with the same challenge fails.
        if (!await transient.TryAddAsync(context.TenantId, UsedKind, context.FlowId + ":" + state.CodeHash, [], clock.UtcNow.Add(CounterLifetime), ct).ConfigureAwait(false))
        {
            return FactorOutcome.Failed;
        }

        return new FactorOutcome(true, context.UserId, ["otp"], FactorKind.Possession);
    }

    private async ValueTask<string?> AddressAsync(string tenantId, string? userId, CancellationToken ct)
    {
        if (userId is null || !User.IsValidUserId(userId))
        {
            return null;
        }

        var tenant = await origins.GetAsync(tenantId, ct).ConfigureAwait(false);
        if (tenant is not { AllowEmailOtp: true })
        {
            return null;
        }

        UserState user;
        try
        {
            user = await aggregates.LoadUserAsync(tenantId, userId, ct).ConfigureAwait(false);
        }
        catch (DomainException)
        {
            return null;
        }

        return User.CanSignIn(user) && user.EmailVerified && !string.IsNullOrEmpty(user.Email) ? user.Email : null;
    }

    private static (string? Code, string? Token) ReadInput(JsonElement input)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw Malformed();
        }

        string? code = null;
        string? token = null;
        foreach (var property in input.EnumerateObject())
        {
            switch (property.Name)
            {
                case "code" when code is null && property.Value.ValueKind == JsonValueKind.String:
                    code = property.Value.GetString()!.Trim();
                    break;
                case "token" when token is null && property.Value.ValueKind == JsonValueKind.String:
                    token = property.Value.GetString();
                    break;
                default:
                    throw Malformed();
            }
        }

        if ((code is null) == (token is null)
            || (code is not null && (code.Length != 6 || !code.All(char.IsAsciiDigit)))
            || (token is not null && (token.Length is 0 or > 128)))
        {
            throw Malformed();
        }

        return (code, token);
    }

    private static DomainException Malformed() =>
        new(DomainErrors.EmailOtpInvalidRequest, "The body is {\"code\": \"6 digits\"} or {\"token\": \"the magic link's token\"}.");

    // Bound to the flow, so a hash lifted from one flow's state matches nothing in another.
    private static string Hash(string flowId, string secret) =>
        EmailLinks.Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(flowId + "\n" + secret)));

    private OtpState? Unseal(string sealedState)
    {
        var bytes = protector.Unprotect(sealedState);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<OtpState>(bytes);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record OtpState(string UserId, string CodeHash, string TokenHash);
}
