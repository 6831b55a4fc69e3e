using System.Runtime.InteropServices;

namespace SynCo.ML.Distributed;

/// <summary>
/// The processes of one MPI job (MPI_COMM_WORLD), with the collective operations data-parallel training uses, on
/// Open MPI or MPICH. <see cref="Join"/> returns null, and loads no MPI library, when no launcher started the process.
/// </summary>
/// <example>
/// <code>
/// // mpirun -np 2 dotnet app.dll
/// using var world = MpiWorld.Join();                  // null without a launcher
/// if (world is not null)
/// {
///     Console.WriteLine(world);                        // "rank 0/2, OpenMpi"
///     world.AllReduceSum(gradients);                   // in place, on every rank
/// }
/// </code>
/// </example>
public sealed unsafe class MpiWorld : IDisposable
{
    /// <summary>MPI counts are <c>int</c>: larger buffers go in chunks of this many elements.</summary>
    internal const int MaxCount = int.MaxValue / 8;

    private static readonly object JoinLock = new();
    private static MpiWorld? _current;
    private static bool _looked;

    private readonly MpiLibrary _mpi;
    private bool _disposed;

    private MpiWorld(MpiLibrary mpi, int rank, int size)
    {
        _mpi = mpi;
        Rank = rank;
        Size = size;
    }

    /// <summary>This process's rank, 0 … <see cref="Size"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>The number of processes in the job.</summary>
    public int Size { get; }

    /// <summary>Whether this is rank 0, which alone writes checkpoints, exports and progress.</summary>
    public bool IsRoot => Rank == 0;

    /// <summary>Open MPI or MPICH.</summary>
    public MpiImplementation Implementation => _mpi.Implementation;

    /// <summary>
    /// Joins the job this process was launched into: loads the launcher's MPI library, initialises MPI and checks that
    /// MPI sees as many processes as the launcher started.
    /// </summary>
    /// <param name="launcher">The launcher's description; null reads it from the environment (<see cref="MpiLauncher.FromEnvironment"/>).</param>
    /// <returns>The world, or null when no launcher started this process (nothing is loaded then).</returns>
    /// <exception cref="DllNotFoundException">The launcher's MPI library is not installed; the message names the packages.</exception>
    /// <exception cref="InvalidOperationException">MPI sees another job size than the launcher (a launcher of one MPI with the library of the other).</exception>
    public static MpiWorld? Join(MpiLauncher? launcher = null)
    {
        launcher ??= MpiLauncher.FromEnvironment();
        if (launcher is null) return null;
        var mpi = MpiLibrary.Load(launcher.Implementation);
        mpi.Init();
        int size = mpi.Size(), rank = mpi.Rank();
        if (size != launcher.Size)
            throw new InvalidOperationException(
                $"The launcher started {launcher.Size} {launcher.Implementation} processes, but MPI sees a job of {size}: the launcher and the " +
                $"library belong to different MPI implementations (e.g. MPICH's mpiexec with Open MPI's library, or the reverse), so every " +
                $"process would train alone. Start the job with the launcher of {launcher.Implementation} ({(launcher.Implementation == MpiImplementation.OpenMpi ? "mpirun.openmpi" : "mpirun.mpich")}), " +
                $"install its library ({MpiLibrary.PackagesOf(launcher.Implementation)}), or run without a launcher.");
        return new MpiWorld(mpi, rank, size);
    }

    /// <summary>
    /// The job this process belongs to, joined once per process (MPI is initialised once and finalised when the process
    /// exits): null with <see cref="Training.DistributedMode.Off"/>, without a launcher, or for a job of one process.
    /// </summary>
    /// <exception cref="DllNotFoundException">The launcher's MPI library is not installed.</exception>
    /// <exception cref="InvalidOperationException">The launcher and the MPI library disagree about the job size.</exception>
    public static MpiWorld? Current(Training.DistributedMode mode = Training.DistributedMode.Auto)
    {
        if (mode == Training.DistributedMode.Off) return null;
        lock (JoinLock)
        {
            if (!_looked)
            {
                _looked = true;
                _current = Join();
                if (_current is not null)
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => _current.Dispose();
            }
            return _current is { Size: > 1 } ? _current : null;
        }
    }

    /// <summary>Sums <paramref name="values"/> over all ranks, in place: afterwards every rank holds the same sums.</summary>
    public void AllReduceSum(Span<float> values)
    {
        ThrowIfDisposed();
        fixed (float* p = values)
            for (int offset = 0; offset < values.Length; offset += MaxCount)
                _mpi.AllReduceInPlace(p + offset, Math.Min(MaxCount, values.Length - offset), _mpi.Float, _mpi.Sum);
    }

    /// <summary>The largest of every rank's <paramref name="value"/> (e.g. "did any rank see a non-finite loss").</summary>
    public int AllReduceMax(int value)
    {
        ThrowIfDisposed();
        _mpi.AllReduceInPlace(&value, 1, _mpi.Int, _mpi.Max);
        return value;
    }

    /// <summary>
    /// Gathers every rank's <paramref name="local"/> (equal lengths on all ranks) into <paramref name="all"/>, rank 0's
    /// values first: <c>all.Length == local.Length · Size</c>.
    /// </summary>
    public void AllGather(ReadOnlySpan<float> local, Span<float> all)
    {
        ThrowIfDisposed();
        if (all.Length != (long)local.Length * Size)
            throw new ArgumentException($"The gathered buffer needs {(long)local.Length * Size} floats ({local.Length} per rank × {Size} ranks); it has {all.Length}.", nameof(all));
        if (local.Length > MaxCount)
            throw new ArgumentException($"All-gather of {local.Length} floats per rank exceeds one MPI call ({MaxCount}); gather in parts.", nameof(local));
        fixed (float* send = local)
        fixed (float* receive = all)
            _mpi.AllGather(send, local.Length, _mpi.Float, receive);
    }

    /// <summary>Copies rank <paramref name="root"/>'s <paramref name="data"/> to every rank (equal lengths on all ranks).</summary>
    public void Broadcast(Span<byte> data, int root = 0)
    {
        ThrowIfDisposed();
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"root must be a rank in 0…{Size - 1}.");
        fixed (byte* p = data)
            for (int offset = 0; offset < data.Length; offset += MaxCount)
                _mpi.Broadcast(p + offset, Math.Min(MaxCount, data.Length - offset), _mpi.Byte, root);
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier()
    {
        ThrowIfDisposed();
        _mpi.Barrier();
    }

    /// <summary>
    /// Ends the whole job at once with <paramref name="code"/>, after writing <paramref name="message"/> (prefixed with
    /// this rank) to standard error: the way one rank's failure stops the others instead of leaving them waiting in a
    /// collective. Does not return.
    /// </summary>
    public void Abort(string message, int code = 1)
    {
        Console.Error.WriteLine($"rank {Rank}/{Size}: {message}");
        Console.Error.Flush();
        _mpi.Abort(code);
        Environment.Exit(code); // MPI_Abort does not return; in case an implementation does
    }

    /// <summary>"rank R/N, implementation", the line a distributed run starts with.</summary>
    public override string ToString() => $"rank {Rank}/{Size}, {(Implementation == MpiImplementation.OpenMpi ? "OpenMPI" : "MPICH")}";

    /// <summary>Finalises MPI (collective: every rank must call it).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _mpi.Shutdown();
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
