using KoderId.Domain;

namespace KoderId.Application.Passkeys.WebAuthn;

/// <summary>The refusals of the WebAuthn checks, as domain errors with their KID134x codes. Messages never carry the inputs.</summary>
internal static class WebAuthnErrors
{
    public static DomainException Malformed(string what) => new(DomainErrors.WebAuthnMalformed, $"The WebAuthn response is malformed: {what}.");

    public static DomainException Refused(string code, string message) => new(code, message);
}

/// <summary>
/// Whether a refusal says the input is broken (a 400 whoever sends it) or only that it does not prove what it
/// claims (a wrong answer: in an authentication flow the same 401 as any wrong answer).
/// </summary>
public static class WebAuthnRefusals
{
    public static bool IsMalformed(DomainException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Code is DomainErrors.WebAuthnMalformed or DomainErrors.WebAuthnClientDataTooLarge;
    }
}
