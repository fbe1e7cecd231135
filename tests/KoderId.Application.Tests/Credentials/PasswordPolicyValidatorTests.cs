using KoderId.Application.Credentials;

namespace KoderId.Application.Tests.Credentials;

public sealed class PasswordPolicyValidatorTests
{
    private static readonly PasswordPolicy Policy = PasswordPolicy.Default;

    private static IReadOnlyList<string> Codes(string password, string? username = null, string? email = null, PasswordPolicy? policy = null) =>
        PasswordPolicyValidator.Validate(password, policy ?? Policy, username, email).Select(e => e.Code).ToArray();

    [Fact]
    public void the_default_policy_is_12_to_128_code_points()
    {
        Assert.Equal(12, Policy.MinLength);
        Assert.Equal(128, Policy.MaxLength);
    }

    [Fact]
    public void eleven_characters_are_too_short_and_twelve_are_enough()
    {
        Assert.Equal(["KID1101"], Codes("vbnkeqzpwmx"));
        Assert.Empty(Codes("vbnkeqzpwmxa"));
    }

    [Fact]
    public void sixty_four_characters_are_accepted_and_past_the_maximum_is_too_long()
    {
        Assert.Empty(Codes(new string('k', 63) + "z"));
        Assert.Empty(Codes(new string('k', 128)));
        Assert.Equal(["KID1102"], Codes(new string('k', 129)));
        Assert.Equal(["KID1102"], Codes(new string('k', 65), policy: new PasswordPolicy(12, 64)));
        Assert.Empty(Codes(new string('k', 64), policy: new PasswordPolicy(12, 64)));
    }

    [Fact]
    public void no_composition_rules_apply()
    {
        Assert.Empty(Codes("all lower case words only"));
        Assert.Empty(Codes("481516234281"));
    }

    [Fact]
    public void length_counts_code_points_not_utf16_units()
    {
        // Eleven astral characters are 22 UTF-16 units but 11 code points: too short. Twelve pass.
        var eleven = string.Concat(Enumerable.Repeat("🔐", 11));
        Assert.Equal(22, eleven.Length);
        Assert.Equal(["KID1101"], Codes(eleven));
        Assert.Empty(Codes(eleven + "🔐"));
        Assert.Empty(Codes("пароль-длинный"));
    }

    [Fact]
    public void length_is_counted_after_nfkc_normalisation()
    {
        // U+FB01 (ﬁ) is one code point that NFKC expands to "fi": 11 typed, 12 after normalisation.
        Assert.Empty(Codes("\uFB01zzkeqpwmxa"));
        // "e" + combining acute (2 code points) composes to one "é": 12 typed, 11 after normalisation.
        Assert.Equal(["KID1101"], Codes("cafe\u0301zzkqpwx"));
    }

    [Theory]
    [InlineData("password")]
    [InlineData("PassWord")]
    [InlineData("1qaz2wsx3edc")]
    [InlineData("1QAZ2WSX3EDC")]
    [InlineData("QwErTy123456")]
    public void a_common_password_is_refused_in_any_case(string password)
    {
        Assert.Contains("KID1103", Codes(password));
    }

    [Fact]
    public void a_full_width_spelling_of_a_common_password_is_refused_after_normalisation()
    {
        Assert.Contains("KID1103", Codes("\uFF11\uFF51\uFF41\uFF5A\uFF12\uFF57\uFF53\uFF58\uFF13\uFF45\uFF44\uFF43"));
    }

    [Fact]
    public void a_password_containing_the_username_is_refused_in_any_case()
    {
        Assert.Equal(["KID1104"], Codes("my-ALICE-is-strong", username: "alice"));
        Assert.Equal(["KID1104"], Codes("zzz-alice-zzzz", username: "Alice"));
        Assert.Empty(Codes("my-ALICE-is-strong", username: "bob"));
    }

    [Fact]
    public void a_password_containing_the_email_local_part_is_refused()
    {
        Assert.Equal(["KID1104"], Codes("J.Smith-forever-2024", email: "j.smith@example.com"));
        Assert.Empty(Codes("example.com is my home", email: "j.smith@example.com"));
    }

    [Fact]
    public void identifiers_shorter_than_three_characters_are_ignored()
    {
        Assert.Empty(Codes("albatross-metallica", username: "al", email: "al@example.com"));
        Assert.Equal(["KID1104"], Codes("albatross-metallica", username: "alb"));
        Assert.Empty(Codes("albatross-metallica", username: "  ", email: "@example.com"));
    }

    [Fact]
    public void every_broken_rule_is_reported_and_none_echoes_the_password()
    {
        var errors = PasswordPolicyValidator.Validate("zq-alice", Policy, username: "alice");

        Assert.Equal(["KID1101", "KID1104"], errors.Select(e => e.Code));
        Assert.Equal(["password.too_short", "password.contains_identifier"], errors.Select(e => e.Name));
        Assert.All(errors, e => Assert.DoesNotContain("alice", e.ToString(), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void a_lone_surrogate_is_invalid_text()
    {
        Assert.Equal(["KID1107"], Codes("a-long-password-\uD800-with-a-hole"));
    }

    [Fact]
    public void a_policy_below_nist_bounds_cannot_be_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordPolicy(12, 63));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordPolicy(7, 64));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordPolicy(100, 80));
    }

    [Fact]
    public void the_common_list_has_exactly_ten_thousand_distinct_entries()
    {
        Assert.Equal(10_000, CommonPasswords.Count);

        var lines = File.ReadAllLines(Path.Combine(RepoRoot(), "src", "KoderId.Application", "Credentials", "common-passwords.txt"));
        Assert.Equal(10_000, lines.Length);
        Assert.Equal(10_000, lines.Select(l => l.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Count());
        Assert.All(lines, l => Assert.False(string.IsNullOrWhiteSpace(l)));
        Assert.Equal("123456", lines[0]);
    }

    [Fact]
    public void the_common_list_is_embedded_and_case_insensitive()
    {
        Assert.True(CommonPasswords.Contains("123456"));
        Assert.True(CommonPasswords.Contains("PASSWORD"));
        Assert.False(CommonPasswords.Contains("vbnkeqzpwmxa"));
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "KoderId.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("KoderId.sln not found above the test binaries.");
        }

        return dir;
    }
}
