using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Conformance;

/// <summary>What a driver gives the conformance suite: a fresh, empty store and ways to tamper with its rows.</summary>
public interface IStoreHarness : IAsyncDisposable
{
    IEventStore Store { get; }

    ISubjectKeyStore Keys { get; }

    /// <summary>Overwrites the stored data of the event at a position, bypassing the store (an attacker with database access).</summary>
    Task TamperDataAsync(long position, string newData);

    /// <summary>Deletes the event row at a position, bypassing the store.</summary>
    Task TamperDeleteAsync(long position);
}
