using System.Runtime.InteropServices;

namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// The entry points used from OpenBLAS (its BLAS plus the LAPACK it bundles), bound once to unmanaged function
/// pointers. Resolution goes through NativeLibrary.TryLoad over several names rather than [LibraryImport], whose
/// probing would need an assembly-wide DllImportResolver (only one is allowed per assembly).
/// Fortran convention: every argument by reference, matrices column-major, 32-bit integers (Debian's
/// libopenblas0 is LP64), and a hidden length per character argument appended at the end.
/// </summary>
internal sealed unsafe class OpenBlasLibrary
{
    /// <summary>Names tried in order: Debian's runtime package ships only the versioned soname.</summary>
    public static readonly string[] CandidateNames = ["libopenblas.so.0", "libopenblas.so", "openblas", "libopenblas"];

    private OpenBlasLibrary(string name, nint handle)
    {
        Name = name;
        Dsyevd = (delegate* unmanaged<byte*, byte*, int*, double*, int*, double*, double*, int*, int*, int*, int*, nuint, nuint, void>)NativeLibrary.GetExport(handle, "dsyevd_");
        Dsyevr = (delegate* unmanaged<byte*, byte*, byte*, int*, double*, int*, double*, double*, int*, int*, double*, int*, double*, double*, int*, int*, double*, int*, int*, int*, int*, nuint, nuint, nuint, void>)NativeLibrary.GetExport(handle, "dsyevr_");
        Dsyrk = (delegate* unmanaged<byte*, byte*, int*, int*, double*, double*, int*, double*, double*, int*, nuint, nuint, void>)NativeLibrary.GetExport(handle, "dsyrk_");
        Dgemm = (delegate* unmanaged<byte*, byte*, int*, int*, int*, double*, double*, int*, double*, int*, double*, double*, int*, nuint, nuint, void>)NativeLibrary.GetExport(handle, "dgemm_");
        SetNumThreads = (delegate* unmanaged<int, void>)NativeLibrary.GetExport(handle, "openblas_set_num_threads");
        GetNumThreads = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "openblas_get_num_threads");
    }

    /// <summary>The name the library was loaded under.</summary>
    public string Name { get; }

    public delegate* unmanaged<byte*, byte*, int*, double*, int*, double*, double*, int*, int*, int*, int*, nuint, nuint, void> Dsyevd { get; }

    public delegate* unmanaged<byte*, byte*, byte*, int*, double*, int*, double*, double*, int*, int*, double*, int*, double*, double*, int*, int*, double*, int*, int*, int*, int*, nuint, nuint, nuint, void> Dsyevr { get; }

    public delegate* unmanaged<byte*, byte*, int*, int*, double*, double*, int*, double*, double*, int*, nuint, nuint, void> Dsyrk { get; }

    public delegate* unmanaged<byte*, byte*, int*, int*, int*, double*, double*, int*, double*, int*, double*, double*, int*, nuint, nuint, void> Dgemm { get; }

    public delegate* unmanaged<int, void> SetNumThreads { get; }

    public delegate* unmanaged<int> GetNumThreads { get; }

    /// <summary>Loads OpenBLAS, or returns null with the reason it could not be used.</summary>
    public static OpenBlasLibrary? TryLoad(out string? failure)
    {
        foreach (var name in CandidateNames)
        {
            if (!NativeLibrary.TryLoad(name, out var handle))
                continue;
            try
            {
                failure = null;
                return new OpenBlasLibrary(name, handle);
            }
            catch (EntryPointNotFoundException e)
            {
                NativeLibrary.Free(handle);
                failure = $"'{name}' loaded but lacks a required entry point ({e.Message}).";
                return null;
            }
        }
        failure = $"none of {string.Join(", ", CandidateNames)} could be loaded"
            + (OperatingSystem.IsLinux() ? " (on Debian/Ubuntu: apt-get install libopenblas0-pthread)." : ".");
        return null;
    }
}
