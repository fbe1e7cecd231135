using KoderId.Domain.Users;
using KoderId.Events.Credentials;
using KoderId.Events.Users;
using Decide = KoderId.Domain.Users.User;

namespace KoderId.Domain.Tests.Users;

/// <summary>The decisions an import (ADR 0007) adds to a user: a hash kept as it is, and external identities.</summary>
public sealed class ImportSpecs
{
    private const string Id = "u1";
    private const string Bcrypt = "$2b$12$bIRGj4QPPoSUMWsJE.4Pk.T1qTpDWz7HhMnuiQhGzGinKPsx/HQdq";
    private static readonly UserCreated Alice = new(Id, "alice", null, EmailVerified: false);

    private static Spec<UserState> User() => new(UserState.Initial, Decide.Evolve);

    [Fact]
    public void an_imported_hash_is_kept_as_it_is_with_the_import_reason() =>
        User().Given(Alice).When(s => Decide.ImportPassword(s, Bcrypt, changeRequired: true))
            .Then(new UserPasswordSet(Id, Bcrypt, true, PasswordSetReasons.Import));

    [Fact]
    public void an_imported_hash_is_replaced_by_the_rehash_at_the_first_sign_in()
    {
        const string argon = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        User().Given(Alice, new UserPasswordSet(Id, Bcrypt, false, PasswordSetReasons.Import))
            .When(s => Decide.Rehash(s, Bcrypt, argon))
            .Then(new UserPasswordSet(Id, argon, false, PasswordSetReasons.Rehash));
    }

    [Fact]
    public void an_external_identity_is_linked_once()
    {
        var linked = new UserExternalIdentityLinked(Id, "idp-1", "sub-9", "alice@idp.example");
        User().Given(Alice).When(s => Decide.LinkExternalIdentity(s, " idp-1 ", "sub-9", "alice@idp.example")).Then(linked);
        User().Given(Alice, linked).When(s => Decide.LinkExternalIdentity(s, "idp-1", "sub-9")).ThenNothing();
    }

    [Theory]
    [InlineData("", "sub")]
    [InlineData("idp", "  ")]
    [InlineData("idp", "s\u0001b")]
    public void an_external_identity_without_provider_or_subject_is_refused(string idp, string subject) =>
        User().Given(Alice).When(s => Decide.LinkExternalIdentity(s, idp, subject)).ThenFails(DomainErrors.UserInvalidExternalIdentity);

    [Fact]
    public void erasing_the_user_forgets_its_external_identities()
    {
        var spec = User().Given(Alice, new UserExternalIdentityLinked(Id, "idp-1", "sub-9"), new UserErased(Id));
        Assert.Empty(spec.State.ExternalIdentities);
    }

    [Fact]
    public void a_deleted_user_gets_no_imported_hash() =>
        User().Given(Alice, new UserDeleted(Id)).When(s => Decide.ImportPassword(s, Bcrypt)).ThenFails(DomainErrors.UserDeleted);
}
