using System.Runtime.InteropServices;

namespace SynCo.ML.Distributed;

/// <summary>
/// The few MPI calls data-parallel training needs, bound directly to the system's MPI library by soname: Open MPI
/// (<c>libmpi.so.40</c>, handles are the addresses of exported objects) or MPICH (<c>libmpich.so.12</c>, handles are
/// integer constants). No MPI wrapper package is used: NuGet's MPI.NET binds only Windows' msmpi.dll and crashes on
/// Open MPI's pointer handles.
/// </summary>
internal sealed unsafe class MpiLibrary
{
    // MPICH's handle values (mpi.h of MPICH 3/4: MPI_COMM_WORLD, MPI_FLOAT, MPI_BYTE, MPI_INT, MPI_SUM, MPI_MAX).
    private const int MpichCommWorld = 0x44000000, MpichFloat = 0x4c00040a, MpichByte = 0x4c00010d, MpichInt = 0x4c000405;
    private const int MpichSum = 0x58000003, MpichMax = 0x58000001;

    private readonly delegate* unmanaged<int*, byte***, int> _init;
    private readonly delegate* unmanaged<int*, int> _initialized;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<nint, int*, int> _commRank;
    private readonly delegate* unmanaged<nint, int*, int> _commSize;
    private readonly delegate* unmanaged<void*, void*, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int> _allgather;
    private readonly delegate* unmanaged<void*, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<nint, int, int> _abort;

    private MpiLibrary(MpiImplementation implementation, nint library)
    {
        Implementation = implementation;
        nint Export(string name) => NativeLibrary.GetExport(library, name);
        _init = (delegate* unmanaged<int*, byte***, int>)Export("MPI_Init");
        _initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        _finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        _commRank = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_rank");
        _commSize = (delegate* unmanaged<nint, int*, int>)Export("MPI_Comm_size");
        _allreduce = (delegate* unmanaged<void*, void*, int, nint, nint, nint, int>)Export("MPI_Allreduce");
        _allgather = (delegate* unmanaged<void*, int, nint, void*, int, nint, nint, int>)Export("MPI_Allgather");
        _bcast = (delegate* unmanaged<void*, int, nint, int, nint, int>)Export("MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)Export("MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)Export("MPI_Abort");
        if (implementation == MpiImplementation.OpenMpi)
        {
            CommWorld = Export("ompi_mpi_comm_world");
            Float = Export("ompi_mpi_float");
            Byte = Export("ompi_mpi_byte");
            Int = Export("ompi_mpi_int");
            Sum = Export("ompi_mpi_op_sum");
            Max = Export("ompi_mpi_op_max");
            InPlace = 1;
        }
        else
        {
            (CommWorld, Float, Byte, Int, Sum, Max) = (MpichCommWorld, MpichFloat, MpichByte, MpichInt, MpichSum, MpichMax);
            InPlace = -1;
        }
    }

    public MpiImplementation Implementation { get; }
    public nint CommWorld { get; }
    public nint Float { get; }
    public nint Byte { get; }
    public nint Int { get; }
    public nint Sum { get; }
    public nint Max { get; }

    /// <summary>MPI_IN_PLACE: (void*)1 in Open MPI, (void*)-1 in MPICH.</summary>
    public nint InPlace { get; }

    /// <summary>The soname of each implementation's library.</summary>
    public static string SonameOf(MpiImplementation implementation) =>
        implementation == MpiImplementation.OpenMpi ? "libmpi.so.40" : "libmpich.so.12";

    /// <summary>The Debian packages that provide each implementation (launcher and library).</summary>
    public static string PackagesOf(MpiImplementation implementation) =>
        implementation == MpiImplementation.OpenMpi ? "openmpi-bin libopenmpi-dev" : "mpich libmpich-dev";

    /// <summary>Loads the implementation's library.</summary>
    /// <exception cref="DllNotFoundException">It is not installed; the message names the packages.</exception>
    public static MpiLibrary Load(MpiImplementation implementation)
    {
        string soname = SonameOf(implementation);
        if (!NativeLibrary.TryLoad(soname, out nint library))
            throw new DllNotFoundException($"The {implementation} launcher started this process, but its library {soname} cannot be loaded. " +
                $"Install it (Debian/Ubuntu: apt-get install {PackagesOf(implementation)}), or run without a launcher / with --distributed off.");
        return new MpiLibrary(implementation, library);
    }

    public void Init()
    {
        int done;
        Check(_initialized(&done), "MPI_Initialized");
        if (done == 0) Check(_init(null, null), "MPI_Init");
    }

    public void Shutdown() => Check(_finalize(), "MPI_Finalize");

    public int Rank()
    {
        int rank;
        Check(_commRank(CommWorld, &rank), "MPI_Comm_rank");
        return rank;
    }

    public int Size()
    {
        int size;
        Check(_commSize(CommWorld, &size), "MPI_Comm_size");
        return size;
    }

    public void AllReduceInPlace(void* buffer, int count, nint type, nint op) =>
        Check(_allreduce((void*)InPlace, buffer, count, type, op, CommWorld), "MPI_Allreduce");

    public void AllGather(void* send, int count, nint type, void* receive) =>
        Check(_allgather(send, count, type, receive, count, type, CommWorld), "MPI_Allgather");

    public void Broadcast(void* buffer, int count, nint type, int root) =>
        Check(_bcast(buffer, count, type, root, CommWorld), "MPI_Bcast");

    public void Barrier() => Check(_barrier(CommWorld), "MPI_Barrier");

    public void Abort(int code) => _abort(CommWorld, code);

    private static void Check(int code, string call)
    {
        if (code != 0) throw new InvalidOperationException($"{call} failed with MPI error code {code}.");
    }
}

/// <summary>Which MPI implementation a job runs on.</summary>
public enum MpiImplementation
{
    /// <summary>Open MPI (<c>mpirun</c>/<c>orterun</c>, Slurm with PMIx, Kubeflow MPIJob's default).</summary>
    OpenMpi,
    /// <summary>MPICH (Hydra's <c>mpiexec</c>/<c>mpirun.mpich</c>, Slurm with PMI-2).</summary>
    Mpich,
}
