/*
 * vec.h - growable arrays: the one way this project grows an array.
 *
 * An array is three plain variables the caller owns: a pointer, a count and
 * a capacity (`struct row *v; size_t n, cap;`, zero-initialised = empty).
 * VEC_RESERVE makes room for `need` elements; VEC_PUSH appends one slot and
 * returns it.  Capacity doubles (at least 16 elements), so n pushes cost
 * O(n) copies in all.
 *
 * Invariants, which the tests check under injected allocation failures:
 * - on failure (out of memory, or need * element size overflowing size_t)
 *   nothing changes: the pointer, the count, the capacity and every element
 *   stay as they were, so an out-of-memory error never loses data already
 *   in the array;
 * - the pointer is assigned only with a valid block, never NULL while the
 *   count is non-zero.
 *
 * The macros evaluate their arguments more than once: pass plain lvalues.
 * The caller frees the pointer with free().
 */
#ifndef SIM_VEC_H
#define SIM_VEC_H

#include <stddef.h>
#include <string.h>

/* A block for `need` elements of `elem` bytes grown from p (capacity
 * *cap), or NULL with p still valid and *cap unchanged.  The new capacity
 * goes to *cap only on success.  Use the macros. */
void *vec_grow(void *p, size_t *cap, size_t need, size_t elem);

/* Stores a new block into the caller's pointer variable (whatever its
 * type) without type punning; -1 for NULL, which leaves it alone. */
static inline int vec_set_(void *slot, void *block)
{
	if (!block)
		return -1;
	memcpy(slot, &block, sizeof(block));
	return 0;
}

/* 0 when arr has room for need elements, -1 (nothing changed) when not. */
#define VEC_RESERVE(arr, cap, need)                                                            \
	((size_t)(need) <= (cap)                                                                   \
		 ? 0                                                                               \
		 : vec_set_(&(arr), vec_grow((arr), &(cap), (size_t)(need), sizeof(*(arr)))))

/* The new last element &arr[n] (n counted up; its content is whatever the
 * memory held: assign all of it), or NULL with nothing changed. */
#define VEC_PUSH(arr, n, cap) (VEC_RESERVE(arr, cap, (n) + 1) != 0 ? NULL : &(arr)[(n)++])

#endif
