using KoderId.EventSourcing.Conformance;
using KoderId.EventSourcing.InMemory;
using KoderId.EventSourcing.Storage;

namespace KoderId.EventSourcing.Tests;

public sealed class InMemoryConformance : EventStoreConformance
{
    protected override Task<IStoreHarness> CreateHarnessAsync() => Task.FromResult<IStoreHarness>(new InMemoryHarness(new InMemoryEventStore()));

    private sealed class InMemoryHarness(InMemoryEventStore store) : IStoreHarness
    {
        public IEventStore Store => store;

        public ISubjectKeyStore Keys => store;

        public Task TamperDataAsync(long position, string newData)
        {
            store.TamperReplace(position, e => e with { Data = newData });
            return Task.CompletedTask;
        }

        public Task TamperDeleteAsync(long position)
        {
            store.TamperDelete(position);
            return Task.CompletedTask;
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public sealed class InMemoryTransientConformance : TransientStoreConformance
{
    protected override Task<ITransientStore> CreateStoreAsync(TimeProvider clock) => Task.FromResult<ITransientStore>(new InMemoryTransientStore(clock));
}
