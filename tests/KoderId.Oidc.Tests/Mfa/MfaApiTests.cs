using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Xml.Linq;
using KoderId.Application.Mfa;
using KoderId.Oidc.Tests.Clients;
using KoderId.Oidc.Tests.Conformance;
using KoderId.Server.Tests.Api;

namespace KoderId.Oidc.Tests.Mfa;

/// <summary><c>/v1/users/me/mfa</c> with the user's access token and <c>/v1/users/{id}/mfa</c> for administrators, end to end on SQLite.</summary>
public sealed class MfaApiTests(MfaHost fixture) : IClassFixture<MfaHost>
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task a_user_starts_an_enrolment_scans_the_qr_code_and_confirms_it_with_a_current_code()
    {
        var user = await fixture.NewUserAsync();
        var status = await JsonAsync(await fixture.MeAsync(HttpMethod.Get, "", user.Access), HttpStatusCode.OK);
        Assert.False(status.GetProperty("totpEnrolled").GetBoolean());

        using var started = await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access);
        Assert.Equal("no-store", started.Headers.CacheControl?.ToString());
        var enrolment = await JsonAsync(started, HttpStatusCode.OK);
        var secret = enrolment.GetProperty("secret").GetString()!;
        var uri = enrolment.GetProperty("otpauthUri").GetString()!;
        Assert.Equal($"otpauth://totp/Acme:{user.Username}?secret={secret}&issuer=Acme&algorithm=SHA1&digits=6&period=30", uri);
        var dataUrl = enrolment.GetProperty("qrPng").GetString()!;
        Assert.StartsWith("data:image/png;base64,", dataUrl, StringComparison.Ordinal);
        AssertPng(Convert.FromBase64String(dataUrl["data:image/png;base64,".Length..]), TotpQrCode.Modules(uri) * TotpQrCode.PixelsPerModule);
        AssertSvg(enrolment.GetProperty("qrSvg").GetString()!);

        using (var png = await fixture.MeAsync(HttpMethod.Get, "/totp/qr.png", user.Access))
        {
            Assert.Equal((HttpStatusCode.OK, "image/png", "no-store"), (png.StatusCode, png.Content.Headers.ContentType?.MediaType, png.Headers.CacheControl?.ToString()));
            AssertPng(await png.Content.ReadAsByteArrayAsync(), TotpQrCode.Modules(uri) * TotpQrCode.PixelsPerModule);
        }

        using (var svg = await fixture.MeAsync(HttpMethod.Get, "/totp/qr.svg", user.Access))
        {
            Assert.Equal((HttpStatusCode.OK, "image/svg+xml"), (svg.StatusCode, svg.Content.Headers.ContentType?.MediaType));
            AssertSvg(await svg.Content.ReadAsStringAsync());
        }

        var confirmed = await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, $$"""{"code": "{{fixture.Code(secret)}}"}"""), HttpStatusCode.OK);
        Assert.True(confirmed.GetProperty("totpEnrolled").GetBoolean());
        Assert.Equal("confirmation", confirmed.GetProperty("totpSource").GetString());

        using var again = await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access);
        await ApiHost.ProblemAsync(again, HttpStatusCode.Conflict, "KID1321");
        using var noQr = await fixture.MeAsync(HttpMethod.Get, "/totp/qr.png", user.Access);
        await ApiHost.ProblemAsync(noQr, HttpStatusCode.Conflict, "KID1322");
    }

    [Theory]
    [InlineData("""{"code": "12a456"}""", HttpStatusCode.BadRequest, "KID1326")]
    [InlineData("""{"code": "12345"}""", HttpStatusCode.BadRequest, "KID1326")]
    [InlineData("""{"code": "1234567"}""", HttpStatusCode.BadRequest, "KID1326")]
    [InlineData("""{"code": 123456}""", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("""{}""", HttpStatusCode.BadRequest, "KID2003")]
    [InlineData("""{"code": "123456", "secret": "x"}""", HttpStatusCode.BadRequest, "KID2004")]
    [InlineData("""{"code": """, HttpStatusCode.BadRequest, "KID2003")]
    public async Task a_malformed_confirmation_is_a_4xx_with_its_code(string body, HttpStatusCode status, string code)
    {
        var user = await fixture.NewUserAsync();
        using (await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access))
        {
        }

        using var response = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, body);
        await ApiHost.ProblemAsync(response, status, code);
    }

    [Fact]
    public async Task a_wrong_code_an_oversized_body_a_wrong_media_type_and_no_pending_enrolment_are_refused()
    {
        var user = await fixture.NewUserAsync();
        using (var none = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, """{"code": "123456"}"""))
        {
            await ApiHost.ProblemAsync(none, HttpStatusCode.Conflict, "KID1322");
        }

        using (var noQr = await fixture.MeAsync(HttpMethod.Get, "/totp/qr.svg", user.Access))
        {
            await ApiHost.ProblemAsync(noQr, HttpStatusCode.Conflict, "KID1322");
        }

        var secret = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access), HttpStatusCode.OK)).GetProperty("secret").GetString()!;
        using (var wrong = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, $$"""{"code": "{{fixture.Code(secret, offset: 2)}}"}"""))
        {
            await ApiHost.ProblemAsync(wrong, HttpStatusCode.BadRequest, "KID1324");
        }

        using (var huge = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, $$"""{"code": "{{new string('1', 1024 * 1024 + 10)}}"}"""))
        {
            await ApiHost.ProblemAsync(huge, HttpStatusCode.RequestEntityTooLarge, "KID2005");
        }

        using (var form = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, "code=123456", mediaType: "application/x-www-form-urlencoded"))
        {
            await ApiHost.ProblemAsync(form, HttpStatusCode.UnsupportedMediaType, "KID2006");
        }

        var status = await JsonAsync(await fixture.MeAsync(HttpMethod.Get, "", user.Access), HttpStatusCode.OK);
        Assert.Equal((false, true), (status.GetProperty("totpEnrolled").GetBoolean(), status.GetProperty("totpPending").GetBoolean()));
    }

    [Fact]
    public async Task removing_your_totp_needs_exactly_one_of_the_password_or_a_current_code()
    {
        var user = await fixture.NewUserAsync();
        var secret = await EnrolAsync(user);

        using (var bare = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access))
        {
            await ApiHost.ProblemAsync(bare, HttpStatusCode.Forbidden, "KID1329");
        }

        using (var both = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, $$"""{"password": "{{OidcHost.Password}}", "code": "123456"}"""))
        {
            await ApiHost.ProblemAsync(both, HttpStatusCode.BadRequest, "KID2220");
        }

        using (var empty = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, "{}"))
        {
            await ApiHost.ProblemAsync(empty, HttpStatusCode.BadRequest, "KID2220");
        }

        using (var wrong = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, """{"password": "not the password"}"""))
        {
            await ApiHost.ProblemAsync(wrong, HttpStatusCode.Forbidden, "KID1329");
        }

        // The confirming code is spent: it cannot re-authenticate.
        using (var replayed = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, $$"""{"code": "{{fixture.Code(secret)}}"}"""))
        {
            await ApiHost.ProblemAsync(replayed, HttpStatusCode.Forbidden, "KID1329");
        }

        using (var removed = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, $$"""{"password": "{{OidcHost.Password}}"}"""))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.False((await JsonAsync(await fixture.MeAsync(HttpMethod.Get, "", user.Access), HttpStatusCode.OK)).GetProperty("totpEnrolled").GetBoolean());
        using var gone = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, $$"""{"password": "{{OidcHost.Password}}"}""");
        await ApiHost.ProblemAsync(gone, HttpStatusCode.NotFound, "KID1323");
    }

    [Fact]
    public async Task a_current_code_in_the_body_removes_the_totp()
    {
        var user = await fixture.NewUserAsync();
        var secret = await EnrolAsync(user);
        fixture.Time.Advance(TimeSpan.FromSeconds(30));

        using var removed = await fixture.MeAsync(HttpMethod.Delete, "/totp", user.Access, $$"""{"code": "{{fixture.Code(secret)}}"}""");

        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
    }

    [Fact]
    public async Task recovery_codes_are_ten_shown_once_uncached_and_regenerating_replaces_them()
    {
        var user = await fixture.NewUserAsync();
        using var first = await fixture.MeAsync(HttpMethod.Post, "/recovery-codes", user.Access);
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());
        var codes = (await JsonAsync(first, HttpStatusCode.OK)).GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Equal(10, codes.Distinct().Count());

        var second = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/recovery-codes", user.Access), HttpStatusCode.OK)).GetProperty("codes");
        Assert.DoesNotContain(second.EnumerateArray().Select(c => c.GetString()), codes.Contains);
        var status = await JsonAsync(await fixture.MeAsync(HttpMethod.Get, "", user.Access), HttpStatusCode.OK);
        Assert.Equal((10, 10), (status.GetProperty("recoveryCodesRemaining").GetInt32(), status.GetProperty("recoveryCodesTotal").GetInt32()));
    }

    [Fact]
    public async Task an_administrator_reads_and_removes_a_users_totp_and_another_tenants_key_finds_nothing()
    {
        var user = await fixture.NewUserAsync();
        await EnrolAsync(user);
        var api = fixture.Host.Host.Api;

        var status = await api.OkAsync(HttpMethod.Get, $"/v1/users/{user.Id}/mfa", "acme");
        Assert.True(status.GetProperty("totpEnrolled").GetBoolean());
        using (var cross = await api.SendAsync(HttpMethod.Get, $"/v1/users/{user.Id}/mfa", "globex"))
        {
            await ApiHost.ProblemAsync(cross, HttpStatusCode.NotFound, "KID1011");
        }

        using (var crossDelete = await api.SendAsync(HttpMethod.Delete, $"/v1/users/{user.Id}/mfa/totp", "globex"))
        {
            await ApiHost.ProblemAsync(crossDelete, HttpStatusCode.NotFound, "KID1011");
        }

        var reader = await fixture.Host.Host.CreateKeyAsync("acme", "users:read");
        using (var forbidden = await fixture.Host.BearerAsync(HttpMethod.Delete, $"{OidcHost.Issuer}/v1/users/{user.Id}/mfa/totp", reader))
        {
            await ApiHost.ProblemAsync(forbidden, HttpStatusCode.Forbidden, "KID2002");
        }

        using (var removed = await api.SendAsync(HttpMethod.Delete, $"/v1/users/{user.Id}/mfa/totp", "acme"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.False((await api.OkAsync(HttpMethod.Get, $"/v1/users/{user.Id}/mfa", "acme")).GetProperty("totpEnrolled").GetBoolean());
    }

    [Fact]
    public async Task an_acme_users_token_is_nothing_at_globex_and_only_a_user_token_is_accepted()
    {
        var user = await fixture.NewUserAsync();

        using (var atGlobex = await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access, issuer: OidcHost.GlobexIssuer))
        {
            await ApiHost.ProblemAsync(atGlobex, HttpStatusCode.Unauthorized, "KID2122");
        }

        using (var status = await fixture.MeAsync(HttpMethod.Get, "", user.Access, issuer: OidcHost.GlobexIssuer))
        {
            await ApiHost.ProblemAsync(status, HttpStatusCode.Unauthorized, "KID2122");
        }

        using (var none = await fixture.MeAsync(HttpMethod.Get, "", bearer: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        }

        using (var admin = await fixture.MeAsync(HttpMethod.Post, "/recovery-codes", ApiHost.AdminKey))
        {
            await ApiHost.ProblemAsync(admin, HttpStatusCode.Unauthorized, "KID2120");
        }

        using (var client = await fixture.MeAsync(HttpMethod.Post, "/totp", await fixture.Host.ClientCredentialsTokenAsync()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, client.StatusCode);
        }

        Assert.False((await fixture.Host.Host.Api.OkAsync(HttpMethod.Get, $"/v1/users/{user.Id}/mfa", "acme")).GetProperty("totpPending").GetBoolean());
    }

    [Fact]
    public async Task the_secret_and_the_codes_never_reach_a_log_line()
    {
        var user = await fixture.NewUserAsync();
        var secret = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access), HttpStatusCode.OK)).GetProperty("secret").GetString()!;
        var code = fixture.Code(secret);
        using (await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, """{"code": "12x456"}"""))
        {
        }

        using (await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, $$"""{"code": "{{code}}"}"""))
        {
        }

        var codes = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/recovery-codes", user.Access), HttpStatusCode.OK)).GetProperty("codes")
            .EnumerateArray().Select(c => c.GetString()!).ToArray();

        Assert.NotEmpty(fixture.Logs.Lines);
        foreach (var line in fixture.Logs.Lines)
        {
            Assert.DoesNotContain(secret, line, StringComparison.OrdinalIgnoreCase);
            Assert.All(codes, c => Assert.DoesNotContain(c, line, StringComparison.OrdinalIgnoreCase));
        }
    }

    private async Task<string> EnrolAsync(SignedInUser user)
    {
        var secret = (await JsonAsync(await fixture.MeAsync(HttpMethod.Post, "/totp", user.Access), HttpStatusCode.OK)).GetProperty("secret").GetString()!;
        using var confirmed = await fixture.MeAsync(HttpMethod.Post, "/totp/confirm", user.Access, $$"""{"code": "{{fixture.Code(secret)}}"}""");
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        return secret;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        using (response)
        {
            return await ClientHost.JsonAsync(response, status);
        }
    }

    /// <summary>The PNG signature, an IHDR of <paramref name="size"/> square, and IDAT data that inflates to exactly its scanlines.</summary>
    private static void AssertPng(byte[] png, int size)
    {
        Assert.Equal(PngSignature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        var width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16));
        var height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        Assert.Equal((size, size), (width, height));
        int bitDepth = png[24], colorType = png[25];
        var channels = colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new InvalidDataException($"colour type {colorType}") };

        using var idat = new MemoryStream();
        for (var offset = 8; offset < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            if (type == "IDAT")
            {
                idat.Write(png, offset + 8, length);
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionMode.Decompress))
        {
            zlib.CopyTo(inflated);
        }

        Assert.Equal(height * (1 + ((width * bitDepth * channels) + 7) / 8), inflated.Length);
    }

    private static void AssertSvg(string svg)
    {
        var document = XDocument.Parse(svg);
        Assert.Equal("svg", document.Root!.Name.LocalName);
    }
}
