#pragma once

#include <QGroupBox>

#include "core/config/savedprofile.h"
#include "ui/consolecontext.h"

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Aq::Ui
{
    // The saved connection profiles (Config::ProfileStore): local cloud, emulator or Google Cloud with a
    // credentials-file picker and a project, plus the resource names. A profile is tested (its connection opened,
    // its topic and table asked for), opened in a window of its own, or chosen to open when the console starts.
    // Only paths and names are saved; never a key.
    class ProfileEditor final : public QGroupBox
    {
        Q_OBJECT

    public:
        enum class Kind
        {
            Local,
            Emulator,
            Gcp,
        };

        explicit ProfileEditor(const ConsoleContext &context, QWidget *parent = nullptr);
        ~ProfileEditor() override;

        // What the fields say now; and the fields set from a profile.
        Config::SavedProfile profile() const;
        void showProfile(const Config::SavedProfile &profile);

        void newProfile();
        bool saveProfile();
        void deleteProfile();
        void testProfile();
        void openProfile();

    Q_SIGNALS:
        void profileOpenRequested(const Config::SavedProfile &profile);
        void tested(bool ok, const QString &message);
        void saved(const QString &name);

    private:
        struct TestRun;

        QLineEdit *addLine(const QString &label, const QString &placeholder, const QString &whatsThis);
        QWidget *addPathRow(const QString &label, QLineEdit *path, QPushButton *browse);
        void reloadNames(const QString &select);
        void showKindFields();
        void showMessage(bool ok, const QString &message);
        void finishTest(TestRun *run, const QStringList &problems, const QString &where);
        Kind kind() const;

        ConsoleContext m_context;
        Config::ProfileStore m_store;
        QFormLayout *m_form;
        QComboBox *m_profiles;
        QLineEdit *m_name;
        QComboBox *m_kind;
        QWidget *m_dataDirRow;
        QLineEdit *m_dataDir;
        QLineEdit *m_pubsubEndpoint;
        QLineEdit *m_bigqueryEndpoint;
        QWidget *m_credentialsRow;
        QLineEdit *m_credentials;
        QLineEdit *m_project;
        QLineEdit *m_topic;
        QLineEdit *m_subscription;
        QLineEdit *m_dataset;
        QLineEdit *m_table;
        QCheckBox *m_startup;
        QPushButton *m_save;
        QPushButton *m_delete;
        QPushButton *m_test;
        QPushButton *m_open;
        QLabel *m_result;
        TestRun *m_testRun = nullptr;
    };
}
