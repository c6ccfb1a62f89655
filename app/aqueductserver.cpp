#include <cstdio>

#include <QCoreApplication>

#include "core/server/servecommand.h"

using namespace Qt::Literals::StringLiterals;

// aqueduct-server: the headless binary (Cloud Run, servers). Links no Widgets and no Charts.
int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"aqueduct-server"_s);
    QCoreApplication::setOrganizationName(u"Aqueduct"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(AQ_VERSION));
    const QStringList arguments = QCoreApplication::arguments();
    const QString command = arguments.size() > 1 ? arguments[1] : QString();
    if (command == u"serve"_s || command.startsWith(u'-'))
        return Aq::Server::runServe(arguments);
    fprintf(stderr,
            "Usage: aqueduct-server serve [flags]    (aqueduct-server serve --help lists them)\n"
            "Serves the embedded local cloud's Pub/Sub and BigQuery REST APIs and /healthz.\n");
    return Aq::Server::ExitUsage;
}
