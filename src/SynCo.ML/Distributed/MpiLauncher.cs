namespace SynCo.ML.Distributed;

/// <summary>
/// What the MPI launcher that started this process says about the job, read from its environment without loading
/// any MPI library: Open MPI's <c>mpirun</c> sets <c>OMPI_COMM_WORLD_SIZE</c>/<c>_RANK</c>; MPICH's Hydra (and
/// Slurm's PMI-2) set <c>PMI_SIZE</c>/<c>PMI_RANK</c>; Slurm with PMIx (<c>srun --mpi=pmix</c>, Open MPI) sets
/// <c>PMIX_RANK</c> and <c>SLURM_NTASKS</c>.
/// </summary>
/// <param name="Implementation">The MPI implementation the launcher belongs to.</param>
/// <param name="Size">The number of processes the launcher started.</param>
/// <param name="Rank">This process's rank, 0 … Size − 1.</param>
public sealed record MpiLauncher(MpiImplementation Implementation, int Size, int Rank)
{
    /// <summary>The launcher's description of this process, or null when no MPI launcher started it.</summary>
    /// <param name="environment">The variables to read; null for this process's environment.</param>
    public static MpiLauncher? FromEnvironment(IReadOnlyDictionary<string, string?>? environment = null)
    {
        string? Get(string name) => environment is null ? Environment.GetEnvironmentVariable(name) : environment.GetValueOrDefault(name);
        int? Int(string name) => int.TryParse(Get(name), out int v) ? v : null;
        if (Int("OMPI_COMM_WORLD_SIZE") is { } ompiSize)
            return new(MpiImplementation.OpenMpi, ompiSize, Int("OMPI_COMM_WORLD_RANK") ?? 0);
        if (Int("PMI_SIZE") is { } pmiSize)
            return new(MpiImplementation.Mpich, pmiSize, Int("PMI_RANK") ?? 0);
        if (Int("PMIX_RANK") is { } pmixRank)
            return new(MpiImplementation.OpenMpi, Int("SLURM_NTASKS") ?? Int("PMIX_SIZE") ?? 1, pmixRank);
        return null;
    }
}
