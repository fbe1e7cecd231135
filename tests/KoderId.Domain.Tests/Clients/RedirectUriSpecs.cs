using KoderId.Domain.Clients;

namespace KoderId.Domain.Tests.Clients;

/// <summary>RFC 9700 §4.1 / RFC 8252 §7: what may be registered, and what a request must match.</summary>
public sealed class RedirectUriSpecs
{
    [Theory]
    [InlineData("https://app.example.com/cb", false)]
    [InlineData("https://app.example.com:8443/cb?x=1", false)]
    [InlineData("http://127.0.0.1/cb", false)]
    [InlineData("http://127.0.0.1:8080/cb", false)]
    [InlineData("http://[::1]:8080/cb", false)]
    [InlineData("http://localhost:3000/cb", false)]
    [InlineData("com.example.app:/oauth2redirect", true)]
    [InlineData("com.example.app://callback", true)]
    public void these_redirect_uris_may_be_registered(string uri, bool publicClient) =>
        Assert.Null(RedirectUriRules.Check(uri, publicClient));

    [Theory]
    [InlineData("https://app.example.com/cb#frag", false)]
    [InlineData("https://app.example.com/cb#", false)]
    [InlineData("http://app.example.com/cb", false)]
    [InlineData("http://127.0.0.2/cb", false)]
    [InlineData("http://localhost.evil.com/cb", false)]
    [InlineData("javascript:alert(1)", true)]
    [InlineData("JaVaScRiPt:alert(1)", true)]
    [InlineData("data:text/html,<script>alert(1)</script>", true)]
    [InlineData("DATA:text/html;base64,PHNjcmlwdD4=", true)]
    [InlineData("vbscript:msgbox(1)", true)]
    [InlineData("VBScript:msgbox(1)", true)]
    [InlineData("file:///etc/passwd", true)]
    [InlineData("FILE:///etc/passwd", true)]
    [InlineData("https://user:pass@app.example.com/cb", false)]
    [InlineData("https://user@app.example.com/cb", false)]
    [InlineData("/relative/cb", false)]
    [InlineData("app.example.com/cb", false)]
    [InlineData("https:///cb", false)]
    [InlineData("https:app.example.com/cb", false)]
    [InlineData("https://app.example.com/c b", false)]
    [InlineData("https://app.example.com/cb\n", false)]
    [InlineData("https://app.example.com/ćb", false)]
    [InlineData("", false)]
    [InlineData("com.example.app:/cb", false)]
    [InlineData("myapp:/cb", true)]
    public void these_redirect_uris_are_refused(string uri, bool publicClient) =>
        Assert.NotNull(RedirectUriRules.Check(uri, publicClient));

    [Fact]
    public void an_overlong_redirect_uri_is_refused() =>
        Assert.NotNull(RedirectUriRules.Check("https://app.example.com/" + new string('a', 2000), false));

    [Theory]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb")]
    [InlineData("https://app.example.com/cb?a=1", "https://app.example.com/cb?a=1")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:51234/cb")]
    [InlineData("http://127.0.0.1:8080/cb", "http://127.0.0.1:9090/cb")]
    [InlineData("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb")]
    [InlineData("http://[::1]/cb", "http://[::1]:61000/cb")]
    [InlineData("http://127.0.0.1:8080/cb?x=1", "http://127.0.0.1:1/cb?x=1")]
    [InlineData("com.example.app:/cb", "com.example.app:/cb")]
    [InlineData("http://localhost:3000/cb", "http://localhost:3000/cb")]
    public void these_requests_match_their_registration(string registered, string requested) =>
        Assert.True(RedirectUriMatcher.Matches(registered, requested));

    [Theory]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb/")]
    [InlineData("https://app.example.com/cb/", "https://app.example.com/cb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com/CB")]
    [InlineData("https://app.example.com/cb", "https://APP.example.com/cb")]
    [InlineData("https://app.example.com/cb", "HTTPS://app.example.com/cb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb?x=1")]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb?")]
    [InlineData("https://app.example.com/cb?a=1", "https://app.example.com/cb?a=1&b=2")]
    [InlineData("https://app.example.com/cb", "https://app.example.com:443/cb")]
    [InlineData("https://app.example.com:8443/cb", "https://app.example.com:9443/cb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb#x")]
    [InlineData("https://app.example.com/cb", "https://evil@app.example.com/cb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com@evil.com/cb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com.evil.com/cb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com/%63b")]
    [InlineData("https://app.example.com/a/cb", "https://app.example.com/a/../a/cb")]
    [InlineData("https://app.example.com/a/cb", "https://app.example.com/a%2Fcb")]
    [InlineData("https://app.example.com/cb", "https://app.example.com/cb%00")]
    [InlineData("http://localhost:3000/cb", "http://localhost:4000/cb")]
    [InlineData("http://localhost/cb", "http://127.0.0.1/cb")]
    [InlineData("http://127.0.0.1/cb", "http://localhost/cb")]
    [InlineData("http://127.0.0.1/cb", "http://[::1]/cb")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:8080/other")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:8080/cb/")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:8080/cb?x=1")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:8080/cb#f")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1@evil.com/cb")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:80@evil.com/cb")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1.evil.com/cb")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:99999/cb")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:/cb")]
    [InlineData("http://127.0.0.1/cb", "http://127.0.0.1:0/cb")]
    [InlineData("http://127.0.0.1/cb", "https://127.0.0.1:8080/cb")]
    [InlineData("https://127.0.0.1/cb", "https://127.0.0.1:8080/cb")]
    [InlineData("com.example.app:/cb", "com.example.app:/cb/")]
    public void these_requests_do_not_match(string registered, string requested) =>
        Assert.False(RedirectUriMatcher.Matches(registered, requested));

    [Fact]
    public void nothing_matches_a_missing_value()
    {
        Assert.False(RedirectUriMatcher.Matches(null, "https://a.example/cb"));
        Assert.False(RedirectUriMatcher.Matches("https://a.example/cb", null));
    }
}
