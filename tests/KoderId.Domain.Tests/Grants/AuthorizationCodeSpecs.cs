using KoderId.Domain.Grants;
using KoderId.Events.Grants;

namespace KoderId.Domain.Tests.Grants;

public sealed class AuthorizationCodeSpecs
{
    private const string CodeHash = "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg";
    private const string Sid = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2b";
    private const string Family = "0197a3f2c1d47c3e9b5a2f6d8e0c1b2a";
    private const string Redirect = "https://app.example.com/cb";

    // RFC 7636 Appendix B.
    private const string Verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    private const string Challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly AuthorizationCodeIssued Issued =
        new(CodeHash, "web", Redirect, "openid", Sid, "u1", Now, ["pwd"], Now.AddSeconds(60), "n1", Challenge, "S256", "urn:acr");

    private static Spec<AuthorizationCodeState> Code() => new(AuthorizationCodeState.Initial, AuthorizationCode.Evolve);

    private static IReadOnlyList<object> Issue(AuthorizationCodeState s, string? challenge = Challenge, string? method = "S256") =>
        AuthorizationCode.Issue(s, CodeHash, "web", Redirect, "openid", Sid, "u1", Now, ["pwd"], "urn:acr", "n1", challenge, method, Now.AddSeconds(60), Now);

    [Fact]
    public void the_rfc_7636_example_verifier_matches_its_challenge()
    {
        Assert.Equal(Challenge, Pkce.Challenge(Verifier));
        Assert.True(Pkce.Verify(Verifier, Challenge));
    }

    [Fact]
    public void a_code_is_issued_with_an_s256_challenge_only() =>
        Code().When(s => Issue(s)).Then(Issued);

    [Fact]
    public void plain_a_missing_method_a_method_without_challenge_and_a_malformed_challenge_are_refused()
    {
        Code().When(s => Issue(s, method: "plain")).ThenFails(DomainErrors.CodeInvalidChallenge);
        Code().When(s => Issue(s, method: null)).ThenFails(DomainErrors.CodeInvalidChallenge);
        Code().When(s => Issue(s, challenge: null)).ThenFails(DomainErrors.CodeInvalidChallenge);
        Code().When(s => Issue(s, challenge: "short")).ThenFails(DomainErrors.CodeInvalidChallenge);
    }

    [Fact]
    public void a_code_is_redeemed_by_its_client_at_its_redirect_uri_with_its_verifier() =>
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier, Family, Now))
            .Then(new AuthorizationCodeRedeemed(CodeHash, "web", Sid, "u1", Family));

    [Fact]
    public void each_redemption_check_has_its_own_code()
    {
        Code().When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier, null, Now)).ThenFails(DomainErrors.CodeNotFound);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier, null, Now.AddSeconds(60))).ThenFails(DomainErrors.CodeExpired);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "other", Redirect, Verifier, null, Now)).ThenFails(DomainErrors.CodeClientMismatch);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect.ToUpperInvariant(), Verifier, null, Now)).ThenFails(DomainErrors.CodeRedirectUriMismatch);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, null, null, Now)).ThenFails(DomainErrors.CodePkceFailed);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier[..42], null, Now)).ThenFails(DomainErrors.CodePkceFailed);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier + "!", null, Now)).ThenFails(DomainErrors.CodePkceFailed);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, new string('a', 129), null, Now)).ThenFails(DomainErrors.CodePkceFailed);
        Code().Given(Issued).When(s => AuthorizationCode.Redeem(s, "web", Redirect, new string('a', 43), null, Now)).ThenFails(DomainErrors.CodePkceFailed);
        Code().Given(Issued, new AuthorizationCodeRedeemed(CodeHash, "web", Sid, "u1"))
            .When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier, null, Now)).ThenFails(DomainErrors.CodeAlreadyRedeemed);
    }

    [Fact]
    public void a_verifier_for_a_code_issued_without_a_challenge_is_a_downgrade()
    {
        var withoutPkce = Issued with { CodeChallenge = null, CodeChallengeMethod = null };
        Code().Given(withoutPkce).When(s => AuthorizationCode.Redeem(s, "web", Redirect, Verifier, null, Now)).ThenFails(DomainErrors.CodePkceFailed);
        Code().Given(withoutPkce).When(s => AuthorizationCode.Redeem(s, "web", Redirect, null, null, Now)).Then(new AuthorizationCodeRedeemed(CodeHash, "web", Sid, "u1"));
    }

    [Fact]
    public void reuse_of_a_redeemed_code_is_recorded_once_naming_the_family_to_revoke()
    {
        var redeemed = new AuthorizationCodeRedeemed(CodeHash, "web", Sid, "u1", Family);
        Code().Given(Issued, redeemed).When(AuthorizationCode.DetectReuse).Then(new AuthorizationCodeReuseDetected(CodeHash, "web", Sid, "u1", Family));
        Code().Given(Issued, redeemed, new AuthorizationCodeReuseDetected(CodeHash, "web", Sid, "u1", Family)).When(AuthorizationCode.DetectReuse).ThenNothing();
        Code().Given(Issued).When(AuthorizationCode.DetectReuse).ThenNothing();
    }
}
