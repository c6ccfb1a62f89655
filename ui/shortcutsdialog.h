#pragma once

#include <utility>

#include <QDialog>
#include <QList>
#include <QString>

namespace Aq::Ui
{
    // Help > Keyboard shortcuts: a table of actions ("Rows › Export…") and their keys.
    class ShortcutsDialog final : public QDialog
    {
        Q_OBJECT

    public:
        using Entry = std::pair<QString, QString>;   // what, keys

        explicit ShortcutsDialog(const QList<Entry> &entries, QWidget *parent = nullptr);
    };
}
