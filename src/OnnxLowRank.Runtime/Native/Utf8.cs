using System.Runtime.InteropServices;
using System.Text;

namespace OnnxLowRank.Runtime.Native;

/// <summary>Null-terminated UTF-8 strings, the only string form the C API speaks.</summary>
internal static unsafe class Utf8
{
    public static string? Read(byte* text) => text == null ? null : Marshal.PtrToStringUTF8((IntPtr)text);

    public static byte[] NullTerminated(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
