#include "ui/connection/profileeditor.h"

#include <memory>

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

#include "core/bigquery/bigqueryclient.h"
#include "core/config/connection.h"
#include "core/localcloud/localbackend.h"
#include "core/pubsub/pubsubclient.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Ui
{
    // One connection test: a local cloud opened for it (a data folder other than this console's), and the
    // connection. The connection goes first: its clients may reach that local cloud.
    struct ProfileEditor::TestRun
    {
        std::unique_ptr<LocalCloud::LocalBackend> local;
        std::unique_ptr<Config::Connection> connection;
        int pending = 2;
        QStringList problems;
        QString where;
    };

    namespace
    {
        bool sameFolder(const QString &a, const QString &b)
        {
            return QDir::cleanPath(QFileInfo(a).absoluteFilePath()) == QDir::cleanPath(QFileInfo(b).absoluteFilePath());
        }

        QString describeProblem(const QString &service, const ApiError &error)
        {
            QString text = u"%1: %2"_s.arg(service, error.message);
            if (error.status == u"NOT_FOUND"_s)
                text += QObject::tr(" (the ingest pipeline creates missing resources when the profile opens)");
            return text;
        }
    }

    ProfileEditor::ProfileEditor(const ConsoleContext &context, QWidget *parent)
        : QGroupBox(tr("Profiles"), parent)
        , m_context {context}
        , m_form {new QFormLayout}
        , m_profiles {new QComboBox(this)}
        , m_name {new QLineEdit(this)}
        , m_kind {new QComboBox(this)}
        , m_startup {new QCheckBox(tr("Open this profile when the console starts"), this)}
        , m_save {new QPushButton(tr("Save"), this)}
        , m_delete {new QPushButton(tr("Delete"), this)}
        , m_test {new QPushButton(tr("Test"), this)}
        , m_open {new QPushButton(tr("Open in a new window"), this)}
        , m_result {new QLabel(this)}
    {
        auto *chooser = new QHBoxLayout;
        auto *newButton = new QPushButton(tr("New"), this);
        newButton->setToolTip(tr("A new profile (Ctrl+N)"));
        newButton->setShortcut(QKeySequence::New);
        m_delete->setToolTip(tr("Delete the selected profile (Ctrl+Shift+D)"));
        m_delete->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
        m_profiles->setMinimumContentsLength(24);
        m_profiles->setToolTip(tr("Saved profiles"));
        chooser->addWidget(m_profiles, 1);
        chooser->addWidget(newButton);
        chooser->addWidget(m_delete);
        m_form->addRow(tr("Profile"), chooser);

        m_name->setPlaceholderText(tr("staging, emulator, …"));
        m_form->addRow(tr("Name"), m_name);
        m_kind->addItem(tr("Local cloud"), QVariant::fromValue(int(Kind::Local)));
        m_kind->addItem(tr("Emulator"), QVariant::fromValue(int(Kind::Emulator)));
        m_kind->addItem(tr("Google Cloud"), QVariant::fromValue(int(Kind::Gcp)));
        m_form->addRow(tr("Backend"), m_kind);

        m_dataDir = new QLineEdit(this);
        m_dataDir->setPlaceholderText(QDir::toNativeSeparators(Config::defaultDataDir()));
        auto *dataDirBrowse = new QPushButton(tr("&Browse…"), this);   // Alt+B: only one Browse shows at a time
        m_dataDirRow = addPathRow(tr("Data folder"), m_dataDir, dataDirBrowse);

        m_pubsubEndpoint = addLine(tr("Pub/Sub endpoint"), u"http://127.0.0.1:8085"_s,
                                   tr("Google's Pub/Sub emulator (gcloud beta emulators pubsub start) or an Aqueduct server."));
        m_bigqueryEndpoint = addLine(tr("BigQuery endpoint"), tr("empty: BigQuery on the local cloud of the data folder"),
                                     tr("Any BigQuery-compatible endpoint, such as an Aqueduct server's."));

        m_credentials = new QLineEdit(this);
        m_credentials->setPlaceholderText(tr("empty: Application Default Credentials"));
        auto *credentialsBrowse = new QPushButton(tr("&Browse…"), this);
        m_credentialsRow = addPathRow(tr("Credentials file"), m_credentials, credentialsBrowse);
        m_credentialsRow->setWhatsThis(tr("A service-account key or gcloud's application_default_credentials.json. Only its path is saved."));

        m_project = addLine(tr("Project"), QString(), QString());
        m_topic = addLine(tr("Topic"), u"events"_s, QString());
        m_subscription = addLine(tr("Subscription"), u"events-ingest"_s, QString());
        m_dataset = addLine(tr("Dataset"), u"analytics"_s, QString());
        m_table = addLine(tr("Table"), u"events"_s, QString());
        m_form->addRow(QString(), m_startup);

        auto *buttons = new QHBoxLayout;
        m_save->setToolTip(tr("Save the profile (Ctrl+S)"));
        m_save->setShortcut(QKeySequence::Save);
        m_test->setToolTip(tr("Open its connection and ask for its topic and table (Ctrl+Shift+T)"));
        m_test->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_T));
        m_open->setToolTip(tr("Run the pipeline of this profile in a window of its own (Ctrl+Shift+N)"));
        m_open->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_N));
        buttons->addWidget(m_save);
        buttons->addWidget(m_test);
        buttons->addWidget(m_open);
        buttons->addStretch();
        m_result->setWordWrap(true);
        m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

        auto *layout = new QVBoxLayout(this);
        layout->addLayout(m_form);
        layout->addLayout(buttons);
        layout->addWidget(m_result);

        connect(m_profiles, &QComboBox::currentTextChanged, this, [this](const QString &name) {
            if (const std::optional<Config::SavedProfile> saved = m_store.find(name))
                showProfile(*saved);
        });
        connect(newButton, &QPushButton::clicked, this, &ProfileEditor::newProfile);
        connect(m_delete, &QPushButton::clicked, this, &ProfileEditor::deleteProfile);
        connect(m_save, &QPushButton::clicked, this, &ProfileEditor::saveProfile);
        connect(m_test, &QPushButton::clicked, this, &ProfileEditor::testProfile);
        connect(m_open, &QPushButton::clicked, this, &ProfileEditor::openProfile);
        connect(m_kind, &QComboBox::currentIndexChanged, this, &ProfileEditor::showKindFields);
        connect(m_bigqueryEndpoint, &QLineEdit::textChanged, this, &ProfileEditor::showKindFields);
        connect(dataDirBrowse, &QPushButton::clicked, this, [this] {
            const QString folder = QFileDialog::getExistingDirectory(this, tr("Data folder of the local cloud"),
                                                                     m_dataDir->text().isEmpty() ? Config::defaultDataDir() : m_dataDir->text());
            if (!folder.isEmpty())
                m_dataDir->setText(QDir::toNativeSeparators(folder));
        });
        connect(credentialsBrowse, &QPushButton::clicked, this, [this] {
            const QString start = m_credentials->text().isEmpty() ? QDir::homePath() + u"/.config/gcloud"_s : m_credentials->text();
            const QString file = QFileDialog::getOpenFileName(this, tr("Google credentials file"), start, tr("Credentials (*.json);;All files (*)"));
            if (!file.isEmpty())
                m_credentials->setText(QDir::toNativeSeparators(file));
        });

        for (auto [widget, name] : std::initializer_list<std::pair<QWidget *, const char *>> {
                 {m_profiles, "profiles"}, {m_name, "profileName"}, {m_kind, "backendKind"}, {m_dataDir, "dataDir"},
                 {m_pubsubEndpoint, "pubsubEndpoint"}, {m_bigqueryEndpoint, "bigqueryEndpoint"}, {m_credentials, "credentialsFile"},
                 {m_project, "project"}, {m_topic, "topic"}, {m_subscription, "subscription"}, {m_dataset, "dataset"}, {m_table, "table"},
                 {m_startup, "openAtStartup"}, {m_save, "saveProfile"}, {m_test, "testProfile"}, {m_open, "openProfile"}, {m_result, "profileMessage"}}) {
            widget->setObjectName(QLatin1StringView(name));
        }
        reloadNames(m_context.profileName);
        if (m_profiles->count() == 0)
            newProfile();
        showKindFields();
    }

    ProfileEditor::~ProfileEditor()
    {
        delete m_testRun;
    }

    QWidget *ProfileEditor::addPathRow(const QString &label, QLineEdit *path, QPushButton *browse)
    {
        auto *row = new QWidget(this);
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(path, 1);
        layout->addWidget(browse);
        m_form->addRow(label, row);
        return row;
    }

    QLineEdit *ProfileEditor::addLine(const QString &label, const QString &placeholder, const QString &whatsThis)
    {
        auto *line = new QLineEdit(this);
        line->setPlaceholderText(placeholder);
        line->setWhatsThis(whatsThis);
        m_form->addRow(label, line);
        return line;
    }

    ProfileEditor::Kind ProfileEditor::kind() const
    {
        return Kind(m_kind->currentData().toInt());
    }

    void ProfileEditor::showKindFields()
    {
        const Kind current = kind();
        const bool localBigQuery = current == Kind::Emulator && m_bigqueryEndpoint->text().trimmed().isEmpty();
        m_form->setRowVisible(m_dataDirRow, current == Kind::Local || localBigQuery);
        m_form->setRowVisible(m_pubsubEndpoint, current == Kind::Emulator);
        m_form->setRowVisible(m_bigqueryEndpoint, current == Kind::Emulator);
        m_form->setRowVisible(m_credentialsRow, current == Kind::Gcp);
        m_project->setPlaceholderText(current == Kind::Gcp ? tr("empty: GOOGLE_CLOUD_PROJECT or the credentials' project")
                                                           : tr("empty: GOOGLE_CLOUD_PROJECT, else aqueduct-local"));
    }

    void ProfileEditor::reloadNames(const QString &select)
    {
        const QSignalBlocker blocker(m_profiles);
        m_profiles->clear();
        m_profiles->addItems(m_store.names());
        m_delete->setEnabled(m_profiles->count() > 0);
        const int index = m_profiles->findText(select);
        m_profiles->setCurrentIndex(index >= 0 ? index : 0);
        if (const std::optional<Config::SavedProfile> saved = m_store.find(m_profiles->currentText()))
            showProfile(*saved);
    }

    Config::SavedProfile ProfileEditor::profile() const
    {
        Config::SavedProfile profile;
        profile.name = m_name->text().trimmed();
        QMap<QString, QString> &settings = profile.settings;
        const auto put = [&settings](const QString &key, const QLineEdit *line) {
            if (const QString value = line->text().trimmed(); !value.isEmpty())
                settings.insert(key, value);
        };
        switch (kind()) {
        case Kind::Local:
            settings.insert(u"backend"_s, u"local"_s);
            put(u"dataDir"_s, m_dataDir);
            break;
        case Kind::Emulator:
            if (m_bigqueryEndpoint->text().trimmed().isEmpty()) {
                // Google's Pub/Sub emulator has no BigQuery: the table stays on the local cloud.
                settings.insert(u"pubsubBackend"_s, u"emulator"_s);
                put(u"dataDir"_s, m_dataDir);
            } else {
                settings.insert(u"backend"_s, u"emulator"_s);
                put(u"bigqueryEndpoint"_s, m_bigqueryEndpoint);
            }
            put(u"pubsubEndpoint"_s, m_pubsubEndpoint);
            break;
        case Kind::Gcp:
            settings.insert(u"backend"_s, u"gcp"_s);
            put(u"credentialsFile"_s, m_credentials);
            break;
        }
        put(u"project"_s, m_project);
        put(u"topic"_s, m_topic);
        put(u"subscription"_s, m_subscription);
        put(u"dataset"_s, m_dataset);
        put(u"table"_s, m_table);
        return profile;
    }

    void ProfileEditor::showProfile(const Config::SavedProfile &profile)
    {
        const QMap<QString, QString> &settings = profile.settings;
        const QString backend = settings.value(u"backend"_s);
        const Kind shown = backend == u"gcp"_s                                                            ? Kind::Gcp
                           : backend == u"emulator"_s || settings.value(u"pubsubBackend"_s) == u"emulator"_s ? Kind::Emulator
                                                                                                          : Kind::Local;
        m_name->setText(profile.name);
        m_kind->setCurrentIndex(m_kind->findData(int(shown)));
        m_dataDir->setText(settings.value(u"dataDir"_s));
        m_pubsubEndpoint->setText(settings.value(u"pubsubEndpoint"_s));
        m_bigqueryEndpoint->setText(settings.value(u"bigqueryEndpoint"_s));
        m_credentials->setText(settings.value(u"credentialsFile"_s));
        m_project->setText(settings.value(u"project"_s));
        m_topic->setText(settings.value(u"topic"_s));
        m_subscription->setText(settings.value(u"subscription"_s));
        m_dataset->setText(settings.value(u"dataset"_s));
        m_table->setText(settings.value(u"table"_s));
        m_startup->setChecked(!profile.name.isEmpty() && m_store.startupProfile() == profile.name);
        m_result->clear();
        showKindFields();
    }

    void ProfileEditor::newProfile()
    {
        showProfile({});
        m_name->setFocus();
    }

    bool ProfileEditor::saveProfile()
    {
        const Config::SavedProfile edited = profile();
        if (const Status saved = m_store.save(edited); !saved) {
            showMessage(false, saved.error().message);
            return false;
        }
        if (m_startup->isChecked())
            m_store.setStartupProfile(edited.name);
        else if (m_store.startupProfile() == edited.name)
            m_store.setStartupProfile({});
        reloadNames(edited.name);
        emit saved(edited.name);
        showMessage(true, m_startup->isChecked() ? tr("Saved. The console opens \"%1\" when it starts (unless flags or PUBSUB_EMULATOR_HOST choose).").arg(edited.name)
                                                 : tr("Saved \"%1\".").arg(edited.name));
        return true;
    }

    void ProfileEditor::deleteProfile()
    {
        const QString name = m_profiles->currentText();
        if (name.isEmpty())
            return;
        if (QMessageBox::question(this, tr("Delete profile"), tr("Delete the profile \"%1\"? Its data stays where it is.").arg(name)) != QMessageBox::Yes)
            return;
        m_store.remove(name);
        reloadNames({});
        if (m_profiles->count() == 0)
            newProfile();
        showMessage(true, tr("Deleted \"%1\".").arg(name));
    }

    void ProfileEditor::openProfile()
    {
        const Config::SavedProfile edited = profile();
        if (Result<Config::Profile> resolved = edited.resolve(Config::ProfileInputs::processEnvironment()); !resolved) {
            showMessage(false, resolved.error().message);
            return;
        }
        emit profileOpenRequested(edited);
    }

    void ProfileEditor::testProfile()
    {
        if (m_testRun)
            return;
        const Config::SavedProfile edited = profile();
        const Result<Config::Profile> resolved = edited.resolve(Config::ProfileInputs::processEnvironment());
        if (!resolved) {
            showMessage(false, resolved.error().message);
            emit tested(false, resolved.error().message);
            return;
        }
        m_testRun = new TestRun;
        TestRun *run = m_testRun;
        run->where = resolved->describe();
        Config::LocalBackendAccess *local = nullptr;
        if (resolved->usesLocal()) {
            if (m_context.local && sameFolder(resolved->dataDir, m_context.profile.dataDir)) {
                local = m_context.local;   // this console's own local cloud
            } else {
                run->local = std::make_unique<LocalCloud::LocalBackend>();
                local = run->local.get();
            }
        }
        m_test->setEnabled(false);
        m_result->setText(tr("Testing %1…").arg(run->where));
        Config::Connection::open(*resolved, local, this, [this, run, resolved = *resolved](Result<std::unique_ptr<Config::Connection>> connection) {
            if (!connection) {
                finishTest(run, {connection.error().message}, run->where);
                return;
            }
            run->connection = std::move(*connection);
            const auto finish = [this, run] {
                if (--run->pending == 0)
                    finishTest(run, run->problems, run->connection->describe());
            };
            run->connection->pubsub()->getTopic(resolved.topic, this, [run, finish](auto topic) {
                if (!topic)
                    run->problems.append(describeProblem(tr("Pub/Sub"), topic.error()));
                finish();
            });
            run->connection->bigquery()->getTable(resolved.dataset, resolved.table, this, [run, finish](auto table) {
                if (!table)
                    run->problems.append(describeProblem(tr("BigQuery"), table.error()));
                finish();
            });
        });
    }

    void ProfileEditor::finishTest(TestRun *run, const QStringList &problems, const QString &where)
    {
        const bool ok = problems.isEmpty();
        const QString message = ok ? tr("Connected to %1: the topic and the table answer.").arg(where) : problems.join(u'\n');
        showMessage(ok, message);
        // The clients are inside their own callbacks now: let them return before the connection goes.
        QMetaObject::invokeMethod(this, [this, run, ok, message] {
            delete run;
            if (m_testRun == run)
                m_testRun = nullptr;
            m_test->setEnabled(true);
            emit tested(ok, message);
        }, Qt::QueuedConnection);
    }

    void ProfileEditor::showMessage(bool ok, const QString &message)
    {
        m_result->setText(u"<span style='color:%1'>%2</span>"_s.arg(ok ? u"#3c9a5f"_s : u"#d9534f"_s,
                                                                    message.toHtmlEscaped().replace(u"\n"_s, u"<br>"_s)));
    }
}
