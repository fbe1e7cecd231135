using KoderId.EventSourcing.Serialization;

namespace KoderId.Events.Tests;

/// <summary>The repository's eventschemas/ folder against the records of KoderId.Events.</summary>
public sealed class EventSchemaTests
{
    private static readonly Lazy<Task<EventSchemaCatalogue>> Catalogue =
        new(() => EventSchemaCatalogue.LoadAsync(EventCatalog.CreateRegistry(), RepositoryRoot.EventSchemas));

    [Fact]
    public async Task every_registered_event_type_has_a_schema_in_its_feature_folder() =>
        AssertNone((await Catalogue.Value).TypesWithoutSchema());

    [Fact]
    public async Task every_schema_belongs_to_a_registered_type_or_to_a_retired_version_with_an_upcaster() =>
        AssertNone((await Catalogue.Value).SchemasWithoutType());

    [Fact]
    public async Task every_schema_has_an_example_that_validates_against_it() =>
        AssertNone((await Catalogue.Value).ExamplesThatDoNotValidate());

    [Fact]
    public async Task every_example_of_a_current_type_round_trips_through_its_record() =>
        AssertNone((await Catalogue.Value).ExamplesThatDoNotRoundTrip());

    [Fact]
    public async Task every_retired_example_upcasts_to_a_valid_example_of_the_current_version() =>
        AssertNone((await Catalogue.Value).RetiredExamplesThatDoNotUpcast());

    [Fact]
    public async Task every_schema_mirrors_its_record_fields_required_fields_and_personal_data() =>
        AssertNone((await Catalogue.Value).SchemasThatDisagreeWithTheirRecord());

    [Fact]
    public void the_catalogue_holds_the_first_set_of_events_and_the_profile_upcaster()
    {
        var registry = EventCatalog.CreateRegistry();
        string[] expected =
        [
            "api-key.created.v1", "api-key.revoked.v1",
            "client.deleted.v1", "client.registered.v1", "client.secret-rotated.v1", "client.updated.v1",
            "grant.access-token-revoked.v1", "grant.code-issued.v1", "grant.code-redeemed.v1", "grant.code-reuse-detected.v1", "grant.consent-given.v1", "grant.refresh-family-revoked.v1",
            "grant.refresh-family-started.v1", "grant.refresh-token-reuse-detected.v1", "grant.refresh-token-rotated.v1",
            "group.created.v1", "group.deleted.v1", "group.member-added.v1", "group.member-removed.v1", "group.renamed.v1",
            "key.rotated.v1",
            "mfa.recovery-code-used.v1", "mfa.recovery-codes-generated.v1", "mfa.totp-code-used.v1", "mfa.totp-enrolled.v1",
            "mfa.totp-enrolment-started.v1", "mfa.totp-removed.v1",
            "passkey.counter-regression-detected.v1", "passkey.registered.v1", "passkey.removed.v1", "passkey.renamed.v1", "passkey.used.v1",
            "role.assigned-to-group.v1", "role.assigned-to-user.v1", "role.created.v1", "role.deleted.v1",
            "role.unassigned-from-group.v1", "role.unassigned-from-user.v1",
            "session.revoked.v1", "session.started.v1",
            "tenant.blocked.v1", "tenant.created.v1", "tenant.deleted.v1", "tenant.domain-added.v1", "tenant.renamed.v1", "tenant.settings-changed.v1", "tenant.unblocked.v1",
            "user.created.v1", "user.deleted.v1", "user.disabled.v1", "user.email-changed.v1", "user.email-verified.v1", "user.enabled.v1", "user.erased.v1",
            "user.external-identity-linked.v1", "user.metadata-removed.v1", "user.metadata-set.v1",
            "user.password-set.v1", "user.profile-updated.v2", "user.restored.v1",
            "user.locked-out.v1", "user.unlocked.v1",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), registry.Types.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.False(registry.TryGet("user.profile-updated.v1", out _));
        Assert.Equal("user.profile-updated.v2", registry.Resolve("user.profile-updated.v1").Name);
    }

    [Fact]
    public void every_wire_name_is_dotted_lowercase_and_versioned()
    {
        var pattern = new System.Text.RegularExpressions.Regex("^[a-z]+(-[a-z]+)*(\\.[a-z][a-z0-9]*(-[a-z0-9]+)*)+\\.v[1-9][0-9]*$");
        var registry = EventCatalog.CreateRegistry();
        var names = registry.Types.Select(t => t.Name).Concat(registry.Upcasters.SelectMany(u => new[] { u.FromType, u.ToType }));
        Assert.All(names, name => Assert.Matches(pattern, name));
    }

    [Fact]
    public void every_event_record_is_sealed_and_lives_in_a_feature_folder()
    {
        Assert.All(EventCatalog.CreateRegistry().Types, t =>
        {
            Assert.True(t.ClrType.IsSealed, $"{t.ClrType.Name} is not sealed");
            Assert.StartsWith("KoderId.Events.", t.ClrType.Namespace, StringComparison.Ordinal);
        });
    }

    private static void AssertNone(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, "\n" + string.Join("\n", list));
    }
}
