using KoderId.EventSourcing.Projections;

namespace KoderId.Projections;

/// <summary>Every read model of Koder ID; the hosts register exactly this list.</summary>
public static class ProjectionCatalog
{
    public static IReadOnlyList<IProjection> All() => [];
}
