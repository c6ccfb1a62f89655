#include "ui/shortcutsdialog.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

namespace Aq::Ui
{
    ShortcutsDialog::ShortcutsDialog(const QList<Entry> &entries, QWidget *parent)
        : QDialog(parent)
    {
        setWindowTitle(tr("Keyboard shortcuts"));
        auto *table = new QTableWidget(int(entries.size()), 2, this);
        table->setHorizontalHeaderLabels({tr("Action"), tr("Keys")});
        table->verticalHeader()->hide();
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        for (int row = 0; row < entries.size(); ++row) {
            table->setItem(row, 0, new QTableWidgetItem(entries[row].first));
            table->setItem(row, 1, new QTableWidgetItem(entries[row].second));
        }
        table->resizeColumnsToContents();
        table->horizontalHeader()->setStretchLastSection(true);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
        connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(table);
        layout->addWidget(buttons);
        resize(560, 520);
    }
}
