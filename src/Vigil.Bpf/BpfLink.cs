using System.Runtime.InteropServices;
using Vigil.Bpf.Interop;

namespace Vigil.Bpf;

/// <summary>An attachment of a program to a hook; disposing detaches it unless it is pinned.</summary>
public sealed class BpfLink : SafeHandle
{
    internal BpfLink(nint handle) : base(0, ownsHandle: true)
    {
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    public int Fd => Libbpf.LinkFd(handle);

    /// <summary>Opens a link pinned in bpffs, e.g. to adopt state a previous agent left behind.</summary>
    public static BpfLink OpenPinned(string path)
    {
        nint link = Libbpf.LinkOpen(path);
        if (link == 0)
        {
            throw new BpfException($"cannot open pinned link {path}", Marshal.GetLastPInvokeError());
        }
        return new BpfLink(link);
    }

    /// <summary>Pins the link so the attachment outlives this process.</summary>
    public void Pin(string path) => BpfException.Check(Libbpf.LinkPin(handle, path), $"pin link at {path}");

    public void Unpin() => BpfException.Check(Libbpf.LinkUnpin(handle), "unpin link");

    /// <summary>Lets go of the link without detaching it (the pin keeps it alive).</summary>
    public void Disconnect() => Libbpf.LinkDisconnect(handle);

    protected override bool ReleaseHandle()
    {
        Libbpf.LinkDestroy(handle);
        return true;
    }
}
