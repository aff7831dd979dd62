// C# consumer of the ring-buffer benchmark, the counterpart of consumer.c with the same
// arguments and output: RingbufBench GENERATOR_PID WAKEUP_BYTES. Prints "ready" once attached;
// on SIGINT or SIGTERM drains the ring and prints "events=N drops=N missed=N seen=N cpu_s=X unexpected=N".
using System.Globalization;
using System.Runtime.InteropServices;
using Vigil.Bench.Ringbuf;
using Vigil.Bpf;

if (args.Length != 2 || !uint.TryParse(args[0], out uint generatorPid) || !ulong.TryParse(args[1], out ulong wakeupBytes))
{
    Console.Error.WriteLine("usage: RingbufBench GENERATOR_PID WAKEUP_BYTES");
    return 2;
}

using var stop = new CancellationTokenSource();
void OnStopSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnStopSignal);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnStopSignal);

using var bpf = BpfObject.Open(Path.Combine(AppContext.BaseDirectory, "bpf", "bench_ringbuf.bpf.o"));
bpf.SetGlobal("generator_tgid", generatorPid);
bpf.SetGlobal("vigil_wakeup_bytes", wakeupBytes);
bpf.Btf.CheckLayout<BenchRecord>("vigil_bench_record");
bpf.Load();
using BpfLink link = bpf.Program("on_getppid").Attach();

var counter = new BenchRecordCounter();
using var reader = new RingBufferReader();
reader.Add(bpf.Map("bench_events"), counter);
Console.WriteLine("ready");

TimeSpan cpuStart = Environment.CpuUsage.TotalTime;
reader.Run(stop.Token);
reader.Poll(0);
double cpuSeconds = (Environment.CpuUsage.TotalTime - cpuStart).TotalSeconds;

ulong drops = bpf.Map("vigil_drops").SumPerCpu(0u);
ulong missed = bpf.Program("on_getppid").RecursionMisses;
ulong seen = bpf.Map("generator_calls").SumPerCpu(0u);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"events={counter.Events} drops={drops} missed={missed} seen={seen} cpu_s={cpuSeconds:F3} unexpected={counter.Unexpected}"));
return reader.ConsumerFaults == 0 ? 0 : 1;
