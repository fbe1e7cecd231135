using System.Data.Common;
using System.Xml.Linq;
using KoderId.EventSourcing.Projections;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace KoderId.Oidc.Common;

/// <summary>
/// The Data Protection key ring (it protects the pending authorization request and the antiforgery tokens of the
/// login pages) kept in the store's database, so every node of a PostgreSQL deployment reads the same keys and a
/// restart does not void the sign-ins in flight. A small table beside the read models, created on first use.
/// </summary>
public sealed class DataProtectionKeyRepository(IReadModelStore store) : IXmlRepository
{
    public const string TableName = "data_protection_keys";

    private readonly Lock _gate = new();
    private bool _ready;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        // IXmlRepository is synchronous; the key ring calls it rarely (start-up and each key refresh).
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT xml FROM {TableName} ORDER BY name";
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {TableName} (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO UPDATE SET xml = excluded.xml";
        Add(command, "@name", friendlyName);
        Add(command, "@xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    private DbConnection Open()
    {
        var connection = store.OpenConnectionAsync().GetAwaiter().GetResult();
        try
        {
            lock (_gate)
            {
                if (!_ready)
                {
                    using var create = connection.CreateCommand();
                    create.CommandText = $"CREATE TABLE IF NOT EXISTS {TableName} (name TEXT NOT NULL PRIMARY KEY, xml TEXT NOT NULL)";
                    create.ExecuteNonQuery();
                    _ready = true;
                }
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var p = command.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        command.Parameters.Add(p);
    }
}
