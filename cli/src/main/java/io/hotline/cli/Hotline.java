package io.hotline.cli;

import io.hotline.discovery.NoEndpointException;
import io.hotline.discovery.StoreException;
import io.hotline.discovery.Untrusted;
import io.hotline.rpc.AccessDenied;
import io.hotline.rpc.InvalidRequest;
import io.hotline.rpc.InvalidTarget;
import io.hotline.rpc.MessagingTimeout;
import io.hotline.rpc.NoSuchMethod;
import io.hotline.rpc.RemoteError;
import io.hotline.rpc.RpcException;
import io.hotline.rpc.ServerBusy;
import io.hotline.rpc.UnsupportedVersion;
import io.hotline.rpc.VersionCapError;
import io.hotline.rpc.internal.wire.WireError;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.Locale;
import java.util.logging.Level;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hotline} command: every operator task behind one name, each reading the same configuration.
 *
 * <pre>
 * bin/hotline demo                                        # the Nova boot flow on the embedded file store
 * bin/hotline server --topic conductor --exchange nova    # serve the built-in echo endpoint
 * bin/hotline call nova.conductor echo --args '{"value": 42}'
 * bin/hotline endpoints nova.conductor nova.compute
 * </pre>
 *
 * <p>Exit codes: {@value #OK} done; {@value #FAILED} the operation ran and failed (a remote method threw, a TCK
 * contract failed, a demo step failed); {@value #USAGE} bad input (an option, a configuration value, an argument the
 * server refused); {@value #UNAVAILABLE} nothing to talk to (store unreachable, no endpoint or server, no broadcaster, no answer in time):
 * worth retrying later. Errors are one line on standard error and a hint line.
 */
@Command(name = "hotline", mixinStandardHelpOptions = true, versionProvider = Hotline.Version.class,
        description = "Direct HTTP RPC with pluggable service discovery: run servers, call them, see what is where.",
        subcommands = {DemoCommand.class, ServerCommand.class, BroadcasterCommand.class, CallCommand.class,
                CastCommand.class, FanoutCommand.class, EndpointsCommand.class, ZonesCommand.class,
                TckCommand.class, StatusCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the operation ran and failed (remote error, TCK or demo failure)",
                "2:bad input: an option, a configuration value, or an argument the server refused",
                "3:nothing to talk to: store unreachable, no endpoint, no answer in time (retry later)"},
        footer = {"", "Configuration: hotline.* system properties, HOTLINE_* environment variables, and the properties or"
                + " oslo INI file named by --config or hotline.config; --store/--zone/--set override them."})
public final class Hotline implements Runnable {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int UNAVAILABLE = 3;

    private static final String SIMPLE_LOGGER_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty(SIMPLE_LOGGER_LEVEL) == null) {
            // The commands print what happens; the libraries' info lines would drown it. The TCK causes outages on
            // purpose, so the stores' warnings about them are noise there.
            System.setProperty(SIMPLE_LOGGER_LEVEL, args.length > 0 && args[0].equals("tck") ? "error" : "warn");
        }
        routeJavaUtilLogging(System.getProperty(SIMPLE_LOGGER_LEVEL));
        CommandLine cli = commandLine();
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        System.exit(code);
    }

    /**
     * Sends java.util.logging (Jersey's, the JDK HTTP client's, OkHttp's) to SLF4J, so that one level and one format
     * cover every library, and lets it pass only the records SLF4J prints at {@code slf4jLevel} (SLF4J's simple
     * logger's names: trace, debug, info, warn, error, off), so that the records nobody prints are never made.
     */
    static void routeJavaUtilLogging(String slf4jLevel) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Level level = switch (slf4jLevel == null ? "info" : slf4jLevel.strip().toLowerCase(Locale.ROOT)) {
            case "trace" -> Level.FINEST;
            case "debug" -> Level.FINE;
            case "warn" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            case "off" -> Level.OFF;
            default -> Level.INFO;
        };
        java.util.logging.Logger.getLogger("").setLevel(level);
    }

    /** The command with its error handling, as main runs it; tests set its out and err. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Hotline());
        cli.setParameterExceptionHandler(Hotline::badParameters);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd));
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'hotline demo'");
    }

    private static int badParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandName().equals("hotline") ? "hotline: " + e.getMessage()
                : "hotline " + cmd.getCommandName() + ": " + e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            // A mistyped command (one or two letters off, as git suggests), not any name picocli finds similar.
            String typed = unmatched.getUnmatched().get(0);
            cmd.getSubcommands().keySet().stream()
                    .filter(name -> editDistance(typed, name) <= Math.max(1, name.length() / 3))
                    .min(Comparator.comparingInt(name -> editDistance(typed, name)))
                    .ifPresent(name -> err.println("  did you mean '" + name + "'?"));
        }
        err.println("  hint: run '" + qualifiedName(cmd) + " --help' for the options");
        err.flush();
        return USAGE;
    }

    /** Levenshtein distance: the fewest letters inserted, deleted or replaced to turn {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static int failed(Exception e, CommandLine cmd) {
        Failure f = Failure.of(e);
        PrintWriter err = cmd.getErr();
        // A message may come from a remote server: escaped, it cannot write control sequences to the terminal.
        err.println(qualifiedName(cmd) + ": " + Untrusted.escape(firstLine(f.message())));
        err.println("  hint: " + f.hint());
        err.flush();
        return f.exitCode();
    }

    private static String qualifiedName(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName();
    }

    private static String firstLine(String s) {
        String m = s == null ? "" : s.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl) + " ...";
    }

    /** What an exception means to a person at a shell, and to a script: message, hint, exit code. */
    record Failure(String message, String hint, int exitCode) {

        static Failure of(Throwable e) {
            if (e instanceof CliException c) {
                return new Failure(c.getMessage(), c.hint(), c.exitCode());
            }
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e instanceof StoreException) {
                return new Failure(m, "is the store running and reachable? check hotline.store and its keys"
                        + " (hotline.consul.*, hotline.redis.*, hotline.dns.*, hotline.keystone.*, hotline.file.dir)",
                        UNAVAILABLE);
            }
            if (e instanceof NoEndpointException) {
                return new Failure(m, "start a server for it (hotline server --help), or look with"
                        + " 'hotline endpoints SERVICE'", UNAVAILABLE);
            }
            if (e instanceof VersionCapError) {
                // Refused by this client before sending, so not a wire error.
                return new Failure(m, CHECK_METHOD, USAGE);
            }
            if (e instanceof RpcException rpc) {
                return new Failure(m, rpcHint(rpc), rpcExitCode(WireError.raising(rpc).fault()));
            }
            if (e instanceof IllegalArgumentException) {
                return new Failure(m, "fix the value named above (see --help; configuration keys are listed in"
                        + " README.md)", USAGE);
            }
            return new Failure(e.toString(), "this is unexpected; rerun with -Dorg.slf4j.simpleLogger.defaultLogLevel=debug"
                    + " and report it", FAILED);
        }
    }

    private static final String CHECK_METHOD = "check the method name and --version against the server's endpoint"
            + " class";

    /** What to do about an RPC failure, by its exception. */
    private static String rpcHint(RpcException e) {
        if (e instanceof MessagingTimeout || e instanceof ServerBusy) {
            return "the server did not answer in time; raise --timeout or check it with 'hotline endpoints SERVICE'";
        }
        if (e instanceof AccessDenied) {
            return "set the servers' token: hotline.http.token (HOTLINE_HTTP_TOKEN) or [http_driver] http_token in"
                    + " --config";
        }
        if (e instanceof NoSuchMethod || e instanceof UnsupportedVersion) {
            return CHECK_METHOD;
        }
        if (e instanceof InvalidTarget) {
            return "is it running? look with 'hotline endpoints SERVICE'; a fanout needs a broadcaster (hotline"
                    + " broadcaster)";
        }
        if (e instanceof InvalidRequest) {
            return "check --args: a JSON object of the method's parameters by name";
        }
        if (e instanceof RemoteError) {
            return "the server's method threw; its log has the trace";
        }
        return "the RPC failed; see the message";
    }

    /** The exit code of an RPC failure: the wire error table says whose fault it is. */
    static int rpcExitCode(WireError.Fault fault) {
        return switch (fault) {
            case CALLER -> USAGE;
            case UNAVAILABLE -> UNAVAILABLE;
            case SERVER -> FAILED;
        };
    }

    /** The version from the jar's manifest (Implementation-Version), or "development build" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Hotline.class.getPackage().getImplementationVersion();
            return new String[] {"hotline " + (v != null ? v : "(development build)")};
        }
    }
}
