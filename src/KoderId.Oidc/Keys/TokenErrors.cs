namespace KoderId.Oidc.Keys;

/// <summary>
/// KID2120-KID2139: why one of our JWTs was refused (<see cref="JwtValidator"/>), and key faults. The endpoints that
/// validate tokens (userinfo, introspection, end session) answer their RFC's error and keep the code for the log.
/// </summary>
public static class TokenErrors
{
    public const string Malformed = "KID2120";
    public const string UnsupportedAlgorithm = "KID2121";
    public const string UnknownKey = "KID2122";
    public const string InvalidSignature = "KID2123";
    public const string WrongIssuer = "KID2124";
    public const string Expired = "KID2125";
    public const string NotYetValid = "KID2126";
    public const string WrongType = "KID2127";
    public const string SigningKeyUnavailable = "KID2129";

    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        [Malformed] = "token.malformed",
        [UnsupportedAlgorithm] = "token.unsupported_algorithm",
        [UnknownKey] = "token.unknown_key",
        [InvalidSignature] = "token.invalid_signature",
        [WrongIssuer] = "token.wrong_issuer",
        [Expired] = "token.expired",
        [NotYetValid] = "token.not_yet_valid",
        [WrongType] = "token.wrong_type",
        [SigningKeyUnavailable] = "keys.private_key_unavailable",
    };

    /// <summary>Every code and its name, for the errors catalogue and its test.</summary>
    public static IReadOnlyDictionary<string, string> All => Names;
}
