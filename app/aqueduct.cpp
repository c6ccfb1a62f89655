#include <cstdio>
#include <cstring>

#include <QCoreApplication>

#include "app/cli/publishcommand.h"
#include "app/consolecommand.h"
#include "app/cli/querycommand.h"
#include "app/cli/verifycommand.h"
#include "core/server/servecommand.h"

using namespace Qt::Literals::StringLiterals;

namespace
{
    const char USAGE[] =
        "Usage: aqueduct [COMMAND] [flags]\n"
        "\n"
        "Commands:\n"
        "  serve      headless: the ingest pipeline, the operator HTTP API and the local cloud; see aqueduct serve --help\n"
        "  publish    publish test events to Pub/Sub; see aqueduct publish --help\n"
        "  query      run a GoogleSQL query against BigQuery or the local cloud; see aqueduct query --help\n"
        "  verify     reconcile a publish run with the table and the error table; see aqueduct verify --help\n"
        "  seek       replay a subscription          (not built yet)\n"
        "  (none)     the desktop console (takes serve's flags: --data-dir, --backend, --topic, ...)\n"
        "\n"
        "Exit codes: 0 success; 1 runtime failure; 2 usage error or a command not built yet; 3 data folder owned by another process.\n";
}

int main(int argc, char *argv[])
{
    // The console (no command, or only flags) is a QApplication; every subcommand is headless.
    const bool console = argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--version") != 0);
    if (console)
        return Aq::App::runConsole(argc, argv);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"aqueduct"_s);
    QCoreApplication::setOrganizationName(u"Aqueduct"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(AQ_VERSION));
    const QStringList arguments = QCoreApplication::arguments();
    const QString command = arguments.size() > 1 ? arguments[1] : QString();
    if (command == u"serve"_s)
        return Aq::Server::runServe(arguments);
    if (command == u"publish"_s)
        return Aq::Cli::runPublish(arguments);
    if (command == u"query"_s)
        return Aq::Cli::runQuery(arguments);
    if (command == u"verify"_s)
        return Aq::Cli::runVerify(arguments);
    if (command == u"--help"_s || command == u"-h"_s) {
        fputs(USAGE, stdout);
        return Aq::Server::ExitOk;
    }
    if (command == u"--version"_s) {
        printf("aqueduct %s\n", AQ_VERSION);
        return Aq::Server::ExitOk;
    }
    if (command == u"seek"_s) {
        fprintf(stderr, "aqueduct: `%s` is not built yet; this release has `aqueduct serve`, `aqueduct publish`, `aqueduct query` and `aqueduct verify`.\n", qPrintable(command));
        return Aq::Server::ExitUsage;
    }
    fprintf(stderr, "aqueduct: unknown command \"%s\".\n\n%s", qPrintable(command), USAGE);
    return Aq::Server::ExitUsage;
}
