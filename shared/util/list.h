/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An intrusive doubly linked list, as systemd's LIST_* macros: the items
 * have "next" and "prev" members, the list is its head pointer.  O(1)
 * insertion at the head and removal of any item, no allocation; the
 * servers keep their connections this way (a client that goes is
 * unlinked wherever it is).
 */
#ifndef OCXLPMEM_SHARED_LIST_H
#define OCXLPMEM_SHARED_LIST_H

#define LIST_PREPEND(head, item)                     \
	do {                                         \
		(item)->prev = NULL;                 \
		(item)->next = (head);               \
		if (head)                            \
			(head)->prev = (item);       \
		(head) = (item);                     \
	} while (0)

#define LIST_REMOVE(head, item)                              \
	do {                                                 \
		if ((item)->prev)                            \
			(item)->prev->next = (item)->next;   \
		else                                         \
			(head) = (item)->next;               \
		if ((item)->next)                            \
			(item)->next->prev = (item)->prev;   \
		(item)->next = (item)->prev = NULL;          \
	} while (0)

#endif /* OCXLPMEM_SHARED_LIST_H */
