namespace KoderId.Oidc.Common;

/// <summary><c>KoderId:Oidc</c>: how the authorization server names itself and protects its keys.</summary>
public sealed class OidcOptions
{
    public const string Section = "KoderId:Oidc";

    /// <summary>
    /// The public origin of the bare host (the <c>default</c> tenant's issuer), for example
    /// <c>https://id.example.com</c>. Unset (development), the request's own origin is used. A tenant host
    /// (<c>{tenant}.{base}</c> or a verified custom domain) is its own issuer with this origin's scheme.
    /// </summary>
    public string? PublicOrigin { get; set; }
}
